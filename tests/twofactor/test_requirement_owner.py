"""Only the account's owner changes its two-factor requirement, after a fresh password entry,
and every change or refusal is logged (issue 11, findings 2 and 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from practicegate.accounts.models import Account
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import full_levels
from practicegate.twofactor import services
from tests.helpers import PASSWORD, add_member, make_user
from tests.twofactor.helpers import (
    owner_with_two_factor,
    password_step,
    settings_url,
    turn_on,
    user_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(owner_account, clock):
    """A member with Full Access on Settings and two-factor log-in, signed in with a code."""
    user = make_user("admin")
    add_member(owner_account, user, full_levels())
    turn_on(user)
    clock.shift(30)
    client = Client()
    password_step(client, "admin")
    assert client.post("/me/two-factor/log-in/", {"code": user_code(user)}).status_code == 302
    return user, client


def required(account):
    return Account.objects.get(pk=account.pk).require_two_factor


def test_a_non_owner_with_full_access_on_settings_cannot_turn_the_requirement_off(owner_account, admin):
    owner_account.require_two_factor = True
    owner_account.save()
    user, client = admin
    page = client.get(settings_url(owner_account))
    assert page.status_code == 200
    assert b'name="required"' not in page.content and b"Only the account's owner (sunrise)" in page.content
    refused = client.post(settings_url(owner_account), {})
    assert refused.status_code == 403 and b"Only the account&#x27;s owner" in refused.content
    assert required(owner_account)
    denied = AuditEvent.objects.get(account=owner_account, action="access.denied", detail__reason="owner_only")
    assert denied.actor_id == user.id and denied.outcome == "denied" and denied.detail["required"] is False
    assert not AuditEvent.objects.filter(action__startswith="twofactor.requirement").exists()


def test_the_service_refuses_a_non_owner_and_logs_it(owner_account, member):
    owner_account.require_two_factor = True
    owner_account.save()
    with pytest.raises(services.OwnerOnly):
        services.account_requirement_set(actor=member, account=owner_account, required=False)
    assert required(owner_account)
    assert AuditEvent.objects.filter(account=owner_account, action="access.denied", actor_id=member.id,
                                     detail__reason="owner_only").count() == 1


def test_a_stale_password_entry_is_asked_again_before_the_change(owner_account, owner, clock):
    client = owner_with_two_factor(owner, clock)
    clock.shift(timedelta(minutes=11))
    response = client.post(settings_url(owner_account), {"required": "on"},
                           HTTP_REFERER=f"http://testserver{settings_url(owner_account)}")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/a/{owner_account.slug}/access/confirm-password/")
    assert not required(owner_account)
    confirm = client.post(response["Location"], {"password": PASSWORD})
    assert confirm.status_code == 302 and confirm["Location"] == settings_url(owner_account)
    assert client.post(settings_url(owner_account), {"required": "on"}).status_code == 302
    assert required(owner_account)
    assert AuditEvent.objects.filter(action="twofactor.requirement_on", account=owner_account,
                                     actor_id=owner.id, detail__changed=True).count() == 1
