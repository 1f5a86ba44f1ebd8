"""Turning two-factor log-in off and new recovery codes: password and a current code each time."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from practicegate.audit.models import AuditEvent
from practicegate.twofactor.models import RecoveryCode, RecoveryCodeDevice
from practicegate.twofactor.services import has_two_factor, recovery_codes_left
from tests.helpers import PASSWORD, login_client
from tests.twofactor.helpers import password_step, turn_on, user_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(owner, clock):
    spare = turn_on(owner)
    clock.shift(30)
    return spare


def test_turning_off_needs_the_password(owner, owner_client, codes):
    page = owner_client.post("/me/two-factor/turn-off/", {"password": "not my password at all", "code": user_code(owner)})
    assert page.status_code == 400 and b"do not match" in page.content
    assert has_two_factor(owner)
    assert AuditEvent.objects.filter(action="twofactor.password_failed", actor_id=owner.id).count() == 1


def test_turning_off_needs_a_current_code(owner, owner_client, codes):
    page = owner_client.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": "000000"})
    assert page.status_code == 400
    assert has_two_factor(owner)
    assert AuditEvent.objects.get(action="twofactor.code_failed", target_id=str(owner.id)).detail == {"purpose": "disable"}


def test_turning_off_with_password_and_code(owner, owner_client, codes):
    page = owner_client.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": user_code(owner)})
    assert page.status_code == 302
    assert not has_two_factor(owner)
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not RecoveryCode.objects.filter(device__user=owner).exists()
    assert AuditEvent.objects.filter(action="twofactor.disable", actor_id=owner.id).count() == 1
    # Log-in is back to the password alone.
    assert password_step(Client(), "sunrise")["Location"] == "/start/"


def test_a_recovery_code_can_turn_it_off_when_the_phone_is_lost(owner, owner_client, codes):
    page = owner_client.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": codes[5]})
    assert page.status_code == 302 and not has_two_factor(owner)
    assert AuditEvent.objects.filter(action="twofactor.recovery_code_used", actor_id=owner.id,
                                     detail__purpose="disable").exists()


def test_new_recovery_codes_replace_the_old_ones(owner, owner_client, codes, clock):
    page = owner_client.post("/me/two-factor/recovery-codes/", {"password": PASSWORD, "code": user_code(owner)})
    assert page.status_code == 200
    fresh = [c.replace("-", "") for c in re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page.content.decode())]
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert recovery_codes_left(owner) == 10
    assert AuditEvent.objects.filter(action="twofactor.recovery_codes_regenerated", actor_id=owner.id).count() == 1
    client = Client()
    password_step(client, "sunrise")
    assert client.post("/me/two-factor/log-in/", {"code": codes[0]}).status_code == 400  # old: dead
    assert client.post("/me/two-factor/log-in/", {"code": fresh[0]}).status_code == 302  # new: works


def test_new_recovery_codes_need_password_and_code(owner, owner_client, codes):
    before = list(RecoveryCode.objects.filter(device__user=owner).values_list("code_hash", flat=True))
    assert owner_client.post("/me/two-factor/recovery-codes/",
                             {"password": "wrong password again ok", "code": user_code(owner)}).status_code == 400
    assert owner_client.post("/me/two-factor/recovery-codes/", {"password": PASSWORD, "code": "111111"}).status_code == 400
    assert list(RecoveryCode.objects.filter(device__user=owner).values_list("code_hash", flat=True)) == before


def test_wrong_passwords_and_codes_here_are_throttled_too(owner, owner_client, codes, clock, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert owner_client.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": "000000"}).status_code == 400
        clock.shift(20)
    locked = owner_client.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": "000000"})
    assert locked.status_code == 429 and b"Too many" in locked.content
    clock.shift(30)
    refused = owner_client.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": user_code(owner)})
    assert refused.status_code == 429 and has_two_factor(owner)


@pytest.mark.parametrize("data, message", [
    ({"password": "", "code": ""}, b"This field is required"),
    ({"password": PASSWORD, "code": "x" * 65}, b"at most 64 characters"),
    ({"password": PASSWORD, "code": "１２３４５"}, b"6-digit code"),
])
def test_bad_input_on_turn_off_gets_a_clear_message(owner, owner_client, codes, data, message):
    page = owner_client.post("/me/two-factor/turn-off/", data)
    assert page.status_code == 400 and message in page.content
    assert has_two_factor(owner)


def test_malformed_utf8_in_a_code_gets_a_clear_message(owner, owner_client, codes):
    from urllib.parse import quote

    body = f"password={quote(PASSWORD)}&code=%ED%A0%80%FF123456"  # a lone surrogate and a stray byte
    page = owner_client.post("/me/two-factor/turn-off/", body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and b"6-digit code" in page.content
    assert has_two_factor(owner)


def test_the_status_page_counts_recovery_codes_left(owner, owner_client, codes):
    c = Client()
    password_step(c, "sunrise")
    c.post("/me/two-factor/log-in/", {"code": codes[2]})
    page = owner_client.get("/me/two-factor/")
    assert re.search(rb'id="codes-left">9<', page.content)


def test_manage_pages_send_a_username_without_two_factor_to_set_up(owner_client, db):
    assert owner_client.get("/me/two-factor/turn-off/")["Location"] == "/me/two-factor/set-up/"
    assert owner_client.get("/me/two-factor/")["Location"] == "/me/two-factor/set-up/"


@pytest.mark.parametrize(("url", "answer"), [("/me/two-factor/turn-off/", 302), ("/me/two-factor/recovery-codes/", 200)])
def test_manage_forms_enforce_csrf(owner, codes, url, answer):
    client = login_client(owner, csrf=True)
    page = client.get(url)
    data = {"password": PASSWORD, "code": user_code(owner)}
    assert client.post(url, data).status_code == 403
    assert has_two_factor(owner) and recovery_codes_left(owner) == 10
    token = page.cookies["csrftoken"].value
    assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == answer


def test_a_username_only_ever_changes_its_own_devices(owner, member, codes, clock):
    turn_on(member)
    clock.shift(30)
    client = login_client(member)
    client.post("/me/two-factor/turn-off/", {"password": PASSWORD, "code": user_code(member)})
    assert not has_two_factor(member) and has_two_factor(owner)
    assert RecoveryCodeDevice.objects.filter(user=owner).exists()
