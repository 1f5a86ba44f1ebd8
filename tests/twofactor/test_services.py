"""The questions other features ask (has_two_factor, verify_code) and rules that live below the pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from practicegate.audit.models import AuditEvent
from practicegate.core.errors import ServiceError
from practicegate.twofactor import services
from practicegate.twofactor.models import RecoveryCodeDevice
from tests.accounts.email_helpers import confirm_email
from tests.helpers import PASSWORD
from tests.twofactor.helpers import password_step, turn_on, user_code

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase for reset 7"


def test_has_two_factor_counts_only_a_confirmed_authenticator(owner, clock):
    TOTPDevice.objects.create(user=owner, name="half-done", confirmed=False)
    assert not services.has_two_factor(owner)  # set-up started, not confirmed
    turn_on(owner)
    assert services.has_two_factor(owner)
    assert services.users_with_two_factor([owner.pk, owner.pk + 1000]) == {owner.pk}


def test_verify_code_accepts_a_code_once_and_consumes_recovery_codes(owner, clock):
    spare = turn_on(owner)
    clock.shift(30)
    code = user_code(owner)
    assert isinstance(services.verify_code(owner, code), TOTPDevice)
    assert services.verify_code(owner, code) is None  # replay
    assert isinstance(services.verify_code(owner, spare[0]), RecoveryCodeDevice)
    assert services.verify_code(owner, spare[0]) is None
    assert AuditEvent.objects.get(action="twofactor.recovery_code_used").detail == {"purpose": "join", "codes_left": 9}


@pytest.mark.parametrize("value", [None, "", "12", "x" * 500, 123456, "１２３４５６７"])
def test_verify_code_refuses_malformed_values_quietly(owner, clock, value):
    turn_on(owner)
    assert services.verify_code(owner, value) is None


def test_verify_code_for_a_username_without_two_factor_is_none(owner):
    assert services.verify_code(owner, "123456") is None


def test_enabling_twice_is_refused(owner, clock):
    turn_on(owner)
    with pytest.raises(ServiceError):
        services.two_factor_enable(actor=owner, key=services.setup_key_new(), code="123456", password=PASSWORD)


def test_a_new_set_up_replaces_an_abandoned_one(owner, clock):
    TOTPDevice.objects.create(user=owner, name="left by an older version", confirmed=False)
    turn_on(owner)
    assert TOTPDevice.objects.filter(user=owner).count() == 1


def test_password_reset_by_email_never_turns_two_factor_off(owner, clock, django_capture_on_commit_callbacks):
    turn_on(owner)
    confirm_email(owner, "sunrise@example.org")  # a reset link goes only to a confirmed address
    clock.shift(30)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # the link is mailed once the request commits
        assert client.post("/password/reset/", {"who": "sunrise@example.org"}).status_code == 302
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    assert client.post(form_url, {"new_password1": NEW, "new_password2": NEW}).status_code == 302
    assert services.has_two_factor(owner)
    assert services.recovery_codes_left(owner) == 10
    # The new password still leads to the code step, not straight in.
    fresh = Client()
    assert password_step(fresh, "sunrise", password=NEW)["Location"] == "/me/two-factor/log-in/"
    assert fresh.session.get("_auth_user_id") is None
    assert fresh.post("/me/two-factor/log-in/", {"code": user_code(owner)}).status_code == 302


def test_recovery_codes_use_argon2id_at_owasps_minimum_under_the_real_hashers(settings):
    from practicegate.twofactor.hashing import code_matches, hash_code

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = hash_code("abcdefghjkmn")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert code_matches("abcdefghjkmn", encoded) and not code_matches("abcdefghjkmp", encoded)
