"""Usernames: one case-folded key on every database, no mixed alphabets, no look-alikes of another."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from practicegate.access import services as access_services
from practicegate.accounts.backends import axes_username
from practicegate.accounts.models import Account, User
from practicegate.accounts.services import user_create
from practicegate.accounts.usernames import mixed_scripts, username_key, username_skeleton
from practicegate.core.errors import ServiceError
from tests.access.helpers import url
from tests.accounts.helpers import signup
from tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db
CYRILLIC_S = "\u0455"  # ѕ, CYRILLIC SMALL LETTER DZE
CYRILLIC_ACE = "\u0430\u0441\u0435"  # асе, every letter Cyrillic


def errors(response, field="username") -> str:
    return " ".join(response.context["form"].errors.get(field, []))


def test_keys_fold_case_the_unicode_way():
    assert username_key("Émile") == username_key("émile") == username_key("E\u0301MILE")
    assert username_key("Straße") == username_key("STRASSE")
    assert username_skeleton(CYRILLIC_S + "unrise") == username_skeleton("sunrise")
    assert username_skeleton("0wner") == username_skeleton("Owner")
    assert mixed_scripts(CYRILLIC_S + "unrise") == ["Cyrillic", "Latin"]
    assert mixed_scripts("émile_2.x") == [] and mixed_scripts("山田たろう") == []


@pytest.mark.parametrize("first, second", [("Émile", "émile"), ("émile", "ÉMILE"), ("Straße", "strasse")])
def test_sign_up_refuses_a_name_that_differs_only_in_case(client, first, second):
    make_user(first)
    response = signup(client, username=second)
    assert response.status_code == 400
    assert "taken" in errors(response)
    assert not Account.objects.exists()


def test_the_database_refuses_two_rows_with_one_key():
    make_user("Émile")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("émile")


def test_log_in_finds_the_username_in_any_case(client):
    user = make_user("Émile")
    response = client.post("/login/", {"username": "éMILE", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/start/").wsgi_request.user == user
    assert axes_username(None, {"username": "ÉMILE"}) == axes_username(None, {"username": "émile"})


def test_sign_up_refuses_mixed_alphabets(client):
    response = signup(client, username=CYRILLIC_S + "unrise")
    assert response.status_code == 400
    assert "mixes Cyrillic and Latin" in errors(response)
    assert not User.objects.exists()


@pytest.mark.parametrize("existing, lookalike", [("ace", CYRILLIC_ACE), ("sunrisel", "sunrise1"),
                                                 ("owner", "0WNER"), ("modern", "rnodern")])
def test_sign_up_refuses_a_look_alike_of_an_existing_username(client, existing, lookalike):
    make_user(existing)
    response = signup(client, username=lookalike)
    assert response.status_code == 400
    assert "looks too much like an existing one" in errors(response)
    assert User.objects.count() == 1


def test_allow_account_access_refuses_look_alikes_and_mixed_alphabets(owner_client, owner_account):
    for name, message in [(CYRILLIC_S + "unrise", "mixes"), ("SUNR\u0131SE", "looks too much like"),
                          ("SUNRISE", "taken")]:
        response = owner_client.post(url(owner_account, "allow"),
                                     {"username": name, "password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code == 400, name
        assert message in errors(response), name
    assert User.objects.count() == 1


def test_every_creation_path_shares_the_rule(owner, owner_account):
    with pytest.raises(ServiceError, match="looks too much like"):
        user_create(username="sunr\u0131se", password=PASSWORD)  # ı, LATIN SMALL LETTER DOTLESS I
    with pytest.raises(ServiceError, match="looks too much like"):
        access_services.username_add(actor=owner, account=owner_account, username="SUNR\u0131SE",
                                     password=PASSWORD)
    assert User.objects.count() == 1


def test_a_renamed_username_keeps_its_key_in_step():
    user = make_user("maple")
    user.username = "Émile"
    user.save(update_fields=["username"])
    assert User.objects.get(username_key="émile") == user
    assert User.objects.filter(username_skeleton=username_skeleton("émile")).get() == user


def test_the_migration_fills_existing_rows_and_stops_at_a_case_clash():
    fill = importlib.import_module("practicegate.accounts.migrations.0002_username_key_and_skeleton").fill
    user = make_user("Émile")
    User.objects.filter(pk=user.pk).update(username_key="stale", username_skeleton="")
    fill(apps, None)
    user.refresh_from_db()
    assert (user.username_key, user.username_skeleton) == ("émile", username_skeleton("Émile"))
    # Before the key, SQLite let these two exist side by side: say so instead of picking one.
    other = make_user("someone")
    User.objects.filter(pk=other.pk).update(username="émile", username_key="x")
    with pytest.raises(RuntimeError, match="Rename one of them"):
        fill(apps, None)
