"""A master username gives itself an e-mail address, confirms it from the mail a real SMTP server
received, forgets its password, resets it from the mailed link, and logs in: two-factor still asks
for the code."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import time_machine
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import expect

from practicegate.accounts.models import User
from practicegate.audit.models import AuditEvent
from tests.browser.helpers import log_in, log_out
from tests.helpers import PASSWORD, add_member, make_account

MASTER = ("practice-manager", "one login for every provider account")
NEW = "a lantern glows by the harbor gate"


def code_for(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def path_in(body: str, prefix: str) -> str:
    return re.search(rf"https?://[^/\s]+({prefix}\S+/)", body).group(1)


def test_master_username_confirms_an_address_and_resets_its_password(browser_page, smtp_server, screenshot):
    page = browser_page
    maple = make_account("Maple Street Counseling", "maple")
    harbor = make_account("Harbor Psychology", "harborpsych")

    # The owner adds the master username at Allow Account Access, with an address for it.
    log_in(page, "maple", PASSWORD)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Account Access").click()
    page.get_by_role("link", name="Allow Account Access").click()
    page.get_by_label("Username").fill(MASTER[0])
    page.get_by_label("Password", exact=True).fill(MASTER[1])
    page.get_by_label("Password again").fill(MASTER[1])
    page.get_by_label("E-mail address (optional)").fill("old.box@example.org")
    page.get_by_role("button", name="Add Username").click()
    expect(page.get_by_text("We mailed a link to old.box@example.org")).to_be_visible()
    first_link = path_in(smtp_server.wait_for("old.box@example.org")[0].body, "/me/email/confirm/")
    log_out(page)
    add_member(harbor, User.objects.get(username=MASTER[0]))  # a master username: two accounts

    # The master username enters its own address under My e-mail (the password is asked).
    log_in(page, *MASTER)
    page.get_by_role("link", name="My e-mail").click()
    expect(page.locator("#email-waiting")).to_contain_text("old.box@example.org")
    page.get_by_label("New e-mail address").fill("pat@example.org")
    page.get_by_label("Your current password").fill(MASTER[1])
    screenshot(page, "email-my-email")
    page.get_by_role("button", name="Save and send the link").click()
    expect(page.get_by_text("We mailed a link to pat@example.org")).to_be_visible()

    # The link from the mail the SMTP server received; the older address's link no longer works.
    [confirmation] = smtp_server.wait_for("pat@example.org")
    page.goto(first_link)
    expect(page.get_by_text("does not work any more")).to_be_visible()
    page.goto(path_in(confirmation.body, "/me/email/confirm/"))
    expect(page.get_by_text("pat@example.org")).to_be_visible()
    page.get_by_role("button", name="Confirm this address").click()
    expect(page.get_by_text("is now the e-mail address of practice-manager")).to_be_visible()
    expect(page.locator("#email-in-use")).to_have_text("pat@example.org")

    # Two-factor log-in on.
    page.get_by_role("link", name="Two-factor log-in").click()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.get_by_label("Code from your app").fill(code_for(secret))
    page.get_by_label("Your password").fill(MASTER[1])
    page.get_by_role("button", name="Turn On Two-Factor Log-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.get_by_role("link", name="Continue").click()
    log_out(page)

    # Forgot password, by username.
    page.goto("/login/")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Your username or e-mail address").fill(MASTER[0])
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    [reset_mail] = smtp_server.wait_for("pat@example.org", count=2)[1:]
    assert "practice-manager" in reset_mail.body
    page.goto(path_in(reset_mail.body, "/password/reset/"))
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password confirmation").fill(NEW)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Password set")).to_be_visible()

    # The new password, then the code: two-factor is still on. (Next 30-second step: the set-up code is used.)
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=True):
        log_in(page, MASTER[0], NEW)
        expect(page.get_by_role("heading", name="Two-factor log-in")).to_be_visible()
        page.get_by_label("Code").fill(code_for(secret))
        page.get_by_role("button", name="Log in").click()
        expect(page.locator(".whoami")).to_have_text(f"signed in as {MASTER[0]}")
    expect(page).to_have_url(re.compile(f"/a/{maple.slug}/$"))

    master = User.objects.get(username=MASTER[0])
    actions = set(AuditEvent.objects.filter(target_id=str(master.pk)).values_list("action", flat=True))
    assert {"auth.email_add", "auth.email_change", "auth.email_confirm", "auth.password_reset_request",
            "auth.password_reset"} <= actions
