"""Helpers for two-factor tests: codes computed from the device's key, the log-in steps."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from practicegate.twofactor import services
from practicegate.twofactor.views import SETUP_KEY
from tests.helpers import PASSWORD

# Mid-step, so a shift of 30 s lands in the next step and never on a boundary.
START = datetime(2025, 3, 3, 9, 0, 10, tzinfo=UTC)


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now (the test's clock) for this device."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def user_code(user) -> str:
    return code_for(TOTPDevice.objects.get(user=user, confirmed=True))


def turn_on(user) -> list[str]:
    """Enable two-factor log-in as the set-up page does; return the recovery codes."""
    key = services.setup_key_new()
    codes = services.two_factor_enable(actor=user, key=key, code=code_for(services.setup_device(user, key)),
                                       password=PASSWORD)
    assert codes is not None
    return codes


def pending_code(client: Client, user) -> str:
    """The code for the secret the set-up page showed this client (kept in its session)."""
    return code_for(services.setup_device(user, client.session[SETUP_KEY]))


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def signed_in_id(client: Client):
    return client.session.get("_auth_user_id")


def owner_with_two_factor(owner, clock) -> Client:
    """The owner signed in through both steps, as a browser would be."""
    turn_on(owner)
    clock.shift(30)
    client = Client()
    password_step(client, owner.username)
    assert client.post("/me/two-factor/log-in/", {"code": user_code(owner)}).status_code == 302
    return client


def settings_url(account) -> str:
    return f"/a/{account.slug}/settings/two-factor/"
