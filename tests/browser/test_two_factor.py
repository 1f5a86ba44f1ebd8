"""Enrol a username in two-factor log-in with a code computed here, then log in with it."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import time_machine
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import expect

from practicegate.audit.models import AuditEvent
from tests.browser.helpers import log_in, log_out, sign_up

PASSWORD = "quiet mornings begin with a long walk"


def code_for(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def test_enrol_with_a_computed_code_and_log_in_with_the_next_one(browser_page, screenshot):
    page = browser_page
    sign_up(page, provider="Willow Counseling", email="willow@example.org", username="willow", password=PASSWORD)
    page.get_by_role("link", name="Two-factor log-in").click()
    expect(page.get_by_role("heading", name="Set up two-factor log-in")).to_be_visible()
    expect(page.locator("img#totp-qr")).to_be_visible()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    screenshot(page, "09-two-factor-set-up")

    page.get_by_label("Code from your app").fill(code_for(secret))
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Turn On Two-Factor Log-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li code")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    log_out(page)

    # The code just used cannot be used again: log in one 30-second step later.
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=True) as clock:
        log_in(page, "willow", PASSWORD)
        expect(page.get_by_role("heading", name="Two-factor log-in")).to_be_visible()
        page.get_by_label("Code").fill("000000" if code_for(secret) != "000000" else "111111")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator(".errors, .error").first).to_be_visible()
        clock.shift(2)  # django-otp makes the device wait a second after a wrong code
        page.get_by_label("Code").fill(code_for(secret))
        page.get_by_role("button", name="Log in").click()
        expect(page.locator(".whoami")).to_have_text("signed in as willow")
    assert AuditEvent.objects.filter(actor_username="willow", action__startswith="twofactor.").exists()
    # One log-in at sign-up, one after the code: the password step alone signed nobody in.
    assert AuditEvent.objects.filter(actor_username="willow", action="auth.login").count() == 2
