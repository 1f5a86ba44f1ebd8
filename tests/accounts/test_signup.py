from __future__ import annotations

import pytest
from django.db import IntegrityError

from practicegate.accounts.models import Account, Membership, User
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import SECTION_KEYS, Level
from tests.accounts.helpers import GOOD, signup
from tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db

def test_it_creates_account_owner_and_full_membership_and_signs_in(client):
    response = signup(client)
    account = Account.objects.get(name="Maple Street Counseling")
    assert response.status_code == 302
    assert response["Location"] == f"/a/{account.slug}/"
    owner = account.owner
    assert owner.username == "maplestreet"
    assert owner.home_account == account
    membership = Membership.objects.get(user=owner, account=account)
    assert all(membership.level(key) == Level.FULL for key in SECTION_KEYS)
    assert membership.levels == {key: int(Level.FULL) for key in SECTION_KEYS}
    assert client.get(response["Location"]).context["user"] == owner
    event = AuditEvent.objects.get(account=account, action="auth.signup")
    assert event.actor_id == owner.id and event.actor_username == "maplestreet"


def test_the_button_reads_create_my_account(client):
    assert b">Create My Account</button>" in client.get("/").content


def test_it_stores_argon2id_hashes(client):
    signup(client)
    assert User.objects.get(username="maplestreet").password.startswith("argon2$argon2id$")


def test_production_hasher_is_argon2():
    from practicegate import settings as prod

    assert prod.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"provider_name": ""}, "provider_name", "This field is required"),
        ({"email": ""}, "email", "This field is required"),
        ({"username": ""}, "username", "This field is required"),
        ({"password1": "", "password2": ""}, "password1", "This field is required"),
        ({"provider_name": "x" * 121}, "provider_name", "at most 120 characters"),
        ({"username": "u" * 151}, "username", "at most 150 characters"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": "a" * 250 + "@example.org"}, "email", "at most 254"),
        ({"username": "has space"}, "username", "Enter a valid username"),
        ({"username": "nul\x00byte"}, "username", "Null characters are not allowed"),
        ({"provider_name": "Zero\u200bWidth"}, "provider_name", "invisible or control characters"),
        ({"provider_name": "Bell\x07"}, "provider_name", "invisible or control characters"),
        ({"password2": "a different sentence entirely"}, "password2", "do not match"),
        ({"password1": "fourteen chars", "password2": "fourteen chars"}, "password1", "too short"),
        ({"password1": "1q2w3e4r5t6y7u8i9o0p", "password2": "1q2w3e4r5t6y7u8i9o0p"}, "password1", "too common"),
        (
            {"username": "riverbendsdawn", "password1": "riverbendsdawn!", "password2": "riverbendsdawn!"},
            "password1",
            "too similar",
        ),
        ({"password1": "p" * 1025, "password2": "p" * 1025}, "password1", "at most 1024"),
    ],
)
def test_bad_input_gets_a_field_error_and_changes_nothing(client, changes, field, message):
    response = signup(client, **changes)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert not Account.objects.exists()
    assert not User.objects.exists()
    assert not AuditEvent.objects.filter(action="auth.signup").exists()


def test_usernames_are_unique_case_insensitively(client):
    make_user("MapleStreet")
    response = signup(client, username="maplestreet")
    assert response.status_code == 400
    assert "taken" in " ".join(response.context["form"].errors["username"])
    assert not Account.objects.exists()


def test_database_refuses_case_variant_usernames():
    make_user("Alex")
    with pytest.raises(IntegrityError):
        make_user("aLEX")


def test_long_unicode_passwords_are_accepted_and_never_truncated(client):
    password = "Ünïcødé pässwörd with emoji 🦉 and spaces " * 2  # 84 characters
    assert len(password) > 64
    assert signup(client, password1=password, password2=password).status_code == 302
    user = User.objects.get(username="maplestreet")
    assert user.check_password(password)
    assert not user.check_password(password[:72])


def test_minimum_length_is_a_setting(client, settings):
    from django.contrib.auth import password_validation

    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 20}}
    ]
    password_validation.get_default_password_validators.cache_clear()
    try:
        response = signup(client, password1="nineteen characters", password2="nineteen characters")
        assert response.status_code == 400
    finally:
        password_validation.get_default_password_validators.cache_clear()


def test_signup_requires_csrf(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/", GOOD).status_code == 403
    assert not Account.objects.exists()
    page = client.get("/")
    token = page.cookies["csrftoken"].value
    assert client.post("/", {**GOOD, "csrfmiddlewaretoken": token}).status_code == 302


def test_two_accounts_get_distinct_slugs(client):
    signup(client)
    client.post("/logout/")
    signup(client, username="second", email="second@example.org")
    assert Account.objects.filter(name="Maple Street Counseling").count() == 2
    assert Account.objects.values("slug").distinct().count() == 2


def test_signed_in_visitor_on_home_goes_to_account(client):
    signup(client)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/start/"
    assert PASSWORD  # shared constant stays importable for other tests
