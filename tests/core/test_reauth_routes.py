"""Every action that grants access asks for the password again when it is not fresh
(issue 11, finding 2): a reviewed list of routes, each checked against the URL
configuration, so a new grant page cannot forget @reauth_required."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from practicegate.access.models import JoinCode
from practicegate.accounts.models import Membership
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import password_login, url
from tests.helpers import PASSWORD, add_member, make_user, rows_everywhere
from tests.walk import every_route

# Route name -> the methods that grant access there (a page may be listed at View Only).
ACCESS_GRANTING = {
    "access:allow": {"GET", "POST"},  # Allow Account Access: a new username with access
    "access:other": {"GET"},  # Access Other Accounts: the form that joins another account
    "access:find": {"POST"},
    "access:join": {"POST"},
    "access:redeem": {"POST"},
    "access:join-codes": {"POST"},  # Create Join Code
    "access:join-code-revoke": {"POST"},
    "access:privileges-edit": {"GET", "POST"},
    "access:privileges-defaults": {"GET", "POST"},
    "access:privileges-delete": {"GET", "POST"},
    "account_twofactor:settings": {"POST"},  # the account's two-factor requirement
}
BY_NAME = {name: view for _route, name, view in every_route()}


def test_the_list_names_only_existing_routes():
    missing = sorted(set(ACCESS_GRANTING) - set(BY_NAME))
    assert not missing, f"not in the URL configuration: {missing}"


@pytest.mark.parametrize("name", sorted(ACCESS_GRANTING))
def test_every_access_granting_route_asks_for_a_fresh_password(name):
    checked = getattr(BY_NAME[name], "pg_reauth", frozenset())
    lacking = ACCESS_GRANTING[name] - set(checked)
    assert not lacking, f"{name} does not ask for the password again on {sorted(lacking)}: use @reauth_required"


# --- Behaviour: stale -> asked for the password, nothing changed; fresh -> done ------------------

@pytest.fixture
def stale(owner_account, owner):
    web = password_login(owner.username)
    traveller = time_machine.travel(timezone.now() + timedelta(minutes=11))
    traveller.start()
    yield web
    traveller.stop()


def asked_for_password(response, account) -> bool:
    return response.status_code == 302 and response["Location"].startswith(url(account, "confirm-password"))


def test_create_join_code_with_a_stale_password_asks_for_it_and_makes_no_code(owner_account, stale):
    response = stale.post(url(owner_account, "join-codes"), HTTP_REFERER="http://testserver" +
                          url(owner_account, "join-codes"))
    assert asked_for_password(response, owner_account)
    assert not rows_everywhere(JoinCode).exists()
    assert stale.get(url(owner_account, "join-codes")).status_code == 200  # listing needs no password
    confirm = stale.post(response["Location"], {"password": PASSWORD})
    assert confirm["Location"] == url(owner_account, "join-codes")
    made = stale.post(url(owner_account, "join-codes"))
    assert made.status_code == 200 and made.context["new_code"]
    assert rows_everywhere(JoinCode).count() == 1


def test_revoke_with_a_stale_password_asks_for_it(owner_account, owner, stale):
    from practicegate.access import services

    code, _raw = services.join_code_create(actor=owner, account=owner_account)
    revoke = url(owner_account, "join-code-revoke", code_id=code.pk)
    assert asked_for_password(stale.post(revoke), owner_account)
    assert rows_everywhere(JoinCode).get().revoked_at is None
    stale.post(url(owner_account, "confirm-password"), {"password": PASSWORD})
    assert stale.post(revoke).status_code == 302
    assert rows_everywhere(JoinCode).get().revoked_at is not None


def test_privileges_defaults_and_delete_with_a_stale_password_change_nothing(owner_account, stale):
    member = make_user("alice")
    m = add_member(owner_account, member, full_levels())
    narrowed = {key: str(int(Level.VIEW)) for key in full_levels()}
    for name, kwargs, data in [
        ("privileges-edit", {"membership_id": m.pk}, narrowed),
        ("privileges-defaults", {}, narrowed),
        ("privileges-delete", {"membership_id": m.pk}, {}),
        ("allow", {}, {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD}),
    ]:
        assert asked_for_password(stale.post(url(owner_account, name, **kwargs), data), owner_account), name
    assert Membership.objects.get(pk=m.pk).levels == full_levels()
    owner_account.refresh_from_db()
    assert owner_account.new_member_levels() == full_levels()
    assert not Membership.objects.filter(user__username="newcomer").exists()
    assert not AuditEvent.objects.filter(action__in=["privileges.change", "privileges.defaults_change",
                                                     "account.username_remove", "account.username_add"]).exists()
