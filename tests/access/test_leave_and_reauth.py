"""Leaving an account, and the re-authentication mechanism."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from practicegate.accounts.models import Membership
from tests.access.helpers import events, password_login, url
from tests.helpers import PASSWORD, add_member, login_client, make_user

pytestmark = pytest.mark.django_db


def test_a_joined_account_can_be_left(owner_account, other_account, member):
    add_member(other_account, member)
    client = login_client(member)
    assert client.get(url(other_account, "leave")).status_code == 200
    response = client.post(url(other_account, "leave"))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=member, account=other_account).exists()
    assert events(other_account, "account.leave").get().actor_id == member.id
    assert client.get(f"/a/{other_account.slug}/").status_code == 404
    member.refresh_from_db()
    assert member.is_active


def test_the_owner_cannot_leave_its_account(owner_client, owner_account, owner):
    response = owner_client.post(url(owner_account, "leave"))
    assert response.status_code == 400 and "own this account" in response.content.decode()
    assert Membership.objects.filter(user=owner, account=owner_account).exists()
    assert "Leave this account" not in owner_client.get(url(owner_account)).content.decode()


def test_the_only_account_cannot_be_left(owner_account, member):
    response = login_client(member).post(url(owner_account, "leave"))
    assert response.status_code == 400 and "only account" in response.content.decode()
    assert Membership.objects.filter(user=member, account=owner_account).exists()


def test_a_non_member_cannot_leave(owner_account, outsider):
    assert login_client(outsider).post(url(owner_account, "leave")).status_code == 404


def test_stale_password_sends_to_confirm_and_back(owner_account):
    web = password_login("sunrise")
    allow = url(owner_account, "allow")
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = web.get(allow)
        assert response.status_code == 302
        confirm = response["Location"]
        assert confirm.startswith(url(owner_account, "confirm-password")) and "next=" in confirm
        wrong = web.post(confirm, {"password": "not my password at all", "next": allow})
        assert wrong.status_code == 400 and "not your password" in wrong.content.decode()
        assert events(owner_account, "auth.reauth_failed").exists()
        right = web.post(confirm, {"password": PASSWORD, "next": allow})
        assert right.status_code == 302 and right["Location"] == allow
        assert events(owner_account, "auth.reauth").exists()
        assert web.get(allow).status_code == 200


def test_a_fresh_log_in_needs_no_confirmation(owner_account):
    assert password_login("sunrise").get(url(owner_account, "allow")).status_code == 200


@pytest.mark.parametrize("next_value", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "\x00"])
def test_confirm_never_redirects_off_site(owner_account, next_value):
    web = password_login("sunrise")
    response = web.post(url(owner_account, "confirm-password"), {"password": PASSWORD, "next": next_value})
    assert response.status_code == 302 and response["Location"] == f"/a/{owner_account.slug}/"


def test_confirm_with_malformed_input(owner_account):
    web = password_login("sunrise")
    for data in ({}, {"password": ""}, {"password": "p" * 5000}):
        assert web.post(url(owner_account, "confirm-password"), data).status_code == 400


def test_confirm_counts_against_the_login_throttle(owner_account):
    web = password_login("sunrise", ip="10.3.3.3")
    for _ in range(5):
        web.post(url(owner_account, "confirm-password"), {"password": "wrong wrong wrong"}, REMOTE_ADDR="10.3.3.3")
    locked = web.post(url(owner_account, "confirm-password"), {"password": PASSWORD}, REMOTE_ADDR="10.3.3.3")
    assert locked.status_code == 429 and "Too many failed attempts" in locked.content.decode()


def test_member_at_no_access_can_still_confirm(owner_account):
    from practicegate.core.sections import SECTION_KEYS

    user = make_user("nobody")
    add_member(owner_account, user, {key: 0 for key in SECTION_KEYS})
    web = login_client(user)
    assert web.get(url(owner_account, "confirm-password")).status_code == 200
