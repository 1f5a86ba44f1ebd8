"""Allow Account Access: adding a username to an account."""

from __future__ import annotations

import pytest

from practicegate.access.roles import SEED_ROLES
from practicegate.accounts.models import Membership, User
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import SECTION_KEYS, Level, clean_levels, full_levels
from tests.access.helpers import events, password_login, url
from tests.helpers import PASSWORD, add_member, login_client, make_user

pytestmark = pytest.mark.django_db

GOOD = {"username": "practice-manager", "password1": PASSWORD, "password2": PASSWORD}


def test_the_page_has_the_help_page_words_and_lists_usernames(owner_client, owner_account, member):
    page = owner_client.get(url(owner_account, "allow"))
    assert page.status_code == 200
    html = page.content.decode()
    for words in ("Allow Account Access", "Username", "Password again", "Add Username"):
        assert words in html
    assert "sunrise" in html and "alice" in html


def test_add_username_without_a_role_gets_the_least_role_not_full_access(owner_client, owner_account, owner):
    # Issue 26 (roles): a new username no longer starts with Full Access everywhere; with no role
    # chosen it gets the account's least role (Front desk as seeded).
    response = owner_client.post(url(owner_account, "allow"), GOOD)
    assert response.status_code == 302
    user = User.objects.get(username="practice-manager")
    assert user.home_account == owner_account and user.is_active and user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user, account=owner_account)
    assert membership.levels == clean_levels(SEED_ROLES["Front desk"]) != full_levels()
    assert membership.levels["account_access"] == int(Level.NONE)
    event = events(owner_account, "account.username_add").get()
    assert event.actor_id == owner.id and event.target_id == str(user.id)
    assert PASSWORD not in str(event.detail)
    assert "practice-manager" in owner_client.get(url(owner_account, "allow")).content.decode()


def test_new_username_starts_with_the_account_defaults(owner_client, owner_account):
    defaults = full_levels()
    defaults["settings"] = int(Level.NONE)
    owner_account.default_levels = defaults
    owner_account.save()
    owner_client.post(url(owner_account, "allow"), {**GOOD, "role": "starting"})
    assert Membership.objects.get(user__username="practice-manager").levels == defaults


@pytest.mark.parametrize("username", ["SUNRISE", "Sunrise", "sunrise"])
def test_usernames_are_unique_case_insensitively(owner_client, owner_account, username):
    response = owner_client.post(url(owner_account, "allow"), {**GOOD, "username": username})
    assert response.status_code == 400
    assert "taken" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize("data, field", [
    ({}, "username"),
    ({**GOOD, "username": ""}, "username"),
    ({**GOOD, "username": "x" * 151}, "username"),
    ({**GOOD, "username": "bad name"}, "username"),
    ({**GOOD, "username": "zero\u200bwidth"}, "username"),
    ({**GOOD, "username": "nul\x00byte"}, "username"),
    ({**GOOD, "password1": "short", "password2": "short"}, "password1"),
    ({**GOOD, "password2": PASSWORD + "x"}, "password2"),
    ({**GOOD, "password1": "p" * 2000, "password2": "p" * 2000}, "password1"),
    ({**GOOD, "password1": "practice-manager1", "password2": "practice-manager1"}, "password1"),
])
def test_bad_input_gets_a_message_and_changes_nothing(owner_client, owner_account, data, field):
    response = owner_client.post(url(owner_account, "allow"), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert User.objects.count() == 1
    assert not AuditEvent.objects.filter(action="account.username_add").exists()


def test_view_only_cannot_open_or_post(owner_account, member):
    levels = full_levels()
    levels["account_access"] = int(Level.VIEW)
    Membership.objects.filter(user=member).update(levels=levels)
    client = login_client(member)
    assert client.get(url(owner_account, "allow")).status_code == 403
    assert client.post(url(owner_account, "allow"), GOOD).status_code == 403
    assert not User.objects.filter(username="practice-manager").exists()
    assert events(owner_account, "access.denied").count() == 2
    index = client.get(url(owner_account)).content.decode()
    assert "Allow Account Access" not in index and "Username Privileges" in index


def test_new_username_logs_in_to_the_account_and_every_event_names_it(owner_client, owner_account):
    owner_client.post(url(owner_account, "allow"), GOOD)
    client = password_login("practice-manager")
    home = client.get("/start/", follow=True)
    assert home.request["PATH_INFO"] == f"/a/{owner_account.slug}/"
    assert "signed in as <strong>practice-manager</strong>" in home.content.decode()
    client.get(url(owner_account, "privileges"))
    user = User.objects.get(username="practice-manager")
    mine = AuditEvent.objects.filter(account=owner_account, actor=user)
    assert {"auth.login", "page.view"} <= set(mine.values_list("action", flat=True))
    assert set(mine.values_list("actor_username", flat=True)) == {"practice-manager"}


def test_another_account_cannot_add_usernames_here(owner_account, other_account, outsider):
    client = login_client(outsider)
    assert client.post(url(owner_account, "allow"), GOOD).status_code == 404
    assert not User.objects.filter(username="practice-manager").exists()


def test_a_username_added_in_one_account_is_not_in_another(owner_client, owner_account, other_account):
    owner_client.post(url(owner_account, "allow"), GOOD)
    user = User.objects.get(username="practice-manager")
    assert login_client(user).get(f"/a/{other_account.slug}/").status_code == 404


def test_levels_are_a_full_map(owner_client, owner_account):
    owner_client.post(url(owner_account, "allow"), GOOD)
    assert set(Membership.objects.get(user__username="practice-manager").levels) == set(SECTION_KEYS)
    add_member  # noqa: B018 (imported for other modules' fixtures)
    make_user  # noqa: B018
