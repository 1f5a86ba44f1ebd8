"""Join codes: one-time, 24 hours, stored hashed, shown once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from practicegate.access import services
from practicegate.access.models import JoinCode
from practicegate.accounts.models import Membership
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import events, url
from tests.helpers import (
    add_member,
    login_client,
    make_account,
    make_user,
    rows_everywhere,
    rows_of,
)

pytestmark = pytest.mark.django_db


def create_code(client, account) -> str:
    response = client.post(url(account, "join-codes"))
    assert response.status_code == 200
    return response.context["new_code"]


def redeem(client, account, code):
    return client.post(url(account, "redeem"), {"join_code": code})


def test_a_code_is_shown_once_and_stored_hashed(other_account, outsider):
    client = login_client(outsider)
    raw = create_code(client, other_account)
    stored = rows_of(JoinCode, other_account).get()
    assert stored.code_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(rows_everywhere(JoinCode).values_list().get())
    assert raw not in client.get(url(other_account, "join-codes")).content.decode()
    event = events(other_account, "account.join_code_create").get()
    assert raw not in str(event.detail)
    assert 23.9 * 3600 < (stored.expires_at - stored.created_at).total_seconds() <= 24 * 3600


def test_redeeming_joins_and_logs_both_sides(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    web = login_client(joiner)
    response = redeem(web, owner_account, raw)
    assert response.status_code == 302
    assert Membership.objects.filter(user=joiner, account=other_account).exists()
    assert events(other_account, "account.join").get().detail["via"] == "join_code"
    assert events(owner_account, "account.join_other").get().actor_id == joiner.id
    assert rows_everywhere(JoinCode).get().used_by == joiner


def test_a_code_is_single_use(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    redeem(login_client(joiner), owner_account, raw)
    second = make_user("second")
    add_member(owner_account, second)
    response = redeem(login_client(second), owner_account, raw)
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not Membership.objects.filter(user=second, account=other_account).exists()
    assert events(owner_account, "account.join_failed").get().actor_id == second.id


def test_a_code_expires_after_24_hours(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        response = redeem(login_client(joiner), owner_account, raw)
    assert response.status_code == 400
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_an_existing_member_does_not_use_the_code_up(joiner, owner_account, other_account, outsider):
    raw = create_code(login_client(outsider), other_account)
    add_member(other_account, joiner)
    response = redeem(login_client(joiner), owner_account, raw)
    assert response.status_code == 400 and "already has access" in response.content.decode()
    assert rows_everywhere(JoinCode).get().used_at is None


def test_the_conditional_update_lets_only_one_redemption_through(joiner, owner_account, other_account, outsider):
    code, raw = services.join_code_create(actor=outsider, account=other_account)
    rows_everywhere(JoinCode).filter(pk=code.pk).update(used_at=timezone.now())  # another request won the race
    with pytest.raises(ServiceError):
        services.join_code_redeem(actor=joiner, from_account=owner_account, raw_code=raw)
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_revoked_codes_do_not_work(joiner, owner_account, other_account, outsider):
    client = login_client(outsider)
    raw = create_code(client, other_account)
    code = rows_everywhere(JoinCode).get()
    assert client.post(url(other_account, "join-code-revoke", code_id=code.pk)).status_code == 302
    assert events(other_account, "account.join_code_revoke").exists()
    assert redeem(login_client(joiner), owner_account, raw).status_code == 400


def test_codes_of_another_account_cannot_be_revoked(owner_client, owner_account, other_account, outsider):
    services.join_code_create(actor=outsider, account=other_account)
    code = rows_everywhere(JoinCode).get()
    assert owner_client.post(url(owner_account, "join-code-revoke", code_id=code.pk)).status_code == 404
    assert rows_everywhere(JoinCode).get().revoked_at is None


def test_view_only_sees_codes_but_cannot_create(owner_account, member):
    levels = full_levels()
    levels["account_access"] = int(Level.VIEW)
    Membership.objects.filter(user=member).update(levels=levels)
    client = login_client(member)
    page = client.get(url(owner_account, "join-codes"))
    assert page.status_code == 200 and "Create Join Code" not in page.content.decode()
    assert client.post(url(owner_account, "join-codes")).status_code == 403
    assert not rows_everywhere(JoinCode).exists()


@pytest.mark.parametrize("code", ["", "x" * 101, "pgj-\x00", "pgj-\u200b", "nope"])
def test_malformed_codes_get_a_message(joiner, owner_account, code):
    response = redeem(login_client(joiner), owner_account, code)
    assert response.status_code == 400
    assert response.context["redeem_form"].errors
    assert Membership.objects.filter(user=joiner).count() == 1


def test_a_code_joins_only_its_own_account(joiner, owner_account, other_account, outsider):
    third = make_account("Harbor Psychology", "harbor")
    raw = create_code(login_client(outsider), other_account)
    redeem(login_client(joiner), owner_account, raw)
    assert not Membership.objects.filter(user=joiner, account=third).exists()
