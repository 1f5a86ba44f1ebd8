"""A form sent after the password window is not lost (issue 23, point 2), in a real browser."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from practicegate.accounts.models import Membership
from practicegate.audit.models import AuditEvent
from tests.browser.helpers import sign_up

OWNER = ("maple", "maple leaves fall softly in october")
NEWCOMER = ("temp.frontdesk", "a front desk password for the summer")


def test_add_username_after_the_window_lands_on_the_created_username(browser_page):
    page = browser_page
    sign_up(page, provider="Maple Street Counseling", email="maple@example.org", username=OWNER[0],
            password=OWNER[1])
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Account Access").click()
    page.get_by_role("link", name="Allow Account Access").click()
    page.get_by_label("Username").fill(NEWCOMER[0])
    page.get_by_label("Password", exact=True).fill(NEWCOMER[1])
    page.get_by_label("Password again").fill(NEWCOMER[1])

    # The person steps away; the server's clock (the live server runs in this process) moves on.
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.REAUTH_SECONDS + 60)):
        page.get_by_role("button", name="Add Username").click()
        expect(page.get_by_role("heading", name="Confirm your password")).to_be_visible()
        expect(page.get_by_text("What you submitted is kept")).to_be_visible()
        page.get_by_label("Your password").fill(OWNER[1])
        page.get_by_role("button", name="Confirm").click()

        expect(page).to_have_url(re.compile(r"/access/allow/$"))
        expect(page.get_by_text(f"Username {NEWCOMER[0]} can now log in")).to_be_visible()
        expect(page.get_by_label("Username")).to_have_value("")  # a fresh form, after the result
    assert Membership.objects.filter(user__username=NEWCOMER[0]).count() == 1
    assert AuditEvent.objects.filter(action="account.username_add").count() == 1
