"""Your sessions in a real browser: two browsers signed in as one username; one signs the
other out, and the other is sent to log in on its next click."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from practicegate.accounts.models import UserSession
from practicegate.audit.models import AuditEvent
from tests.browser.helpers import log_in, sign_up

OWNER = ("willow", "willow branches sway in the evening breeze")


def test_one_browser_signs_the_other_out(browser_page, new_page):
    office = browser_page
    sign_up(office, provider="Willow Creek Therapy", email="willow@example.org", username=OWNER[0],
            password=OWNER[1])
    expect(office.get_by_text(f"signed in as {OWNER[0]}")).to_be_visible()

    home = new_page()
    log_in(home, *OWNER)
    expect(home.get_by_text(f"signed in as {OWNER[0]}")).to_be_visible()
    assert UserSession.objects.filter(user__username=OWNER[0]).count() == 2

    # The office opens Your sessions from the top bar: two sessions, its own marked.
    office.get_by_role("link", name="Your sessions").click()
    expect(office.get_by_role("heading", name="Your sessions")).to_be_visible()
    rows = office.locator("table.sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(office.locator("tr.current-session")).to_contain_text("This session")
    expect(office.locator("tr.current-session")).to_contain_text("HeadlessChrome")

    # It signs the other one out: one button on the other row.
    other = rows.filter(has_not=office.locator(".badge"))
    other.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(office).to_have_url(re.compile(r"/me/sessions/$"))
    expect(office.get_by_text(re.compile(r"Signed out HeadlessChrome .* That browser must log in again"))).to_be_visible()
    expect(rows).to_have_count(1)
    expect(office.get_by_text("No other browser is signed in as you")).to_be_visible()

    # The home browser's next click lands on the log-in page.
    home.get_by_role("link", name="My Activity").click()
    expect(home).to_have_url(re.compile(r"/login/"))
    expect(home.get_by_role("button", name="Log in")).to_be_visible()
    expect(home.get_by_text("signed in as")).to_have_count(0)

    # The office is still signed in, and the activity log says what happened in plain words.
    office.get_by_role("link", name="My Activity").click()
    expect(office.get_by_text("Signed out another session of own username")).to_be_visible()
    assert AuditEvent.objects.filter(action="auth.session_end", actor_username=OWNER[0]).count() == 1


def test_sign_out_everywhere_else(browser_page, new_page):
    office = browser_page
    sign_up(office, provider="Birch Lane Counseling", email="birch@example.org", username="birch",
            password=OWNER[1])
    others = [new_page(), new_page()]
    for page in others:
        log_in(page, "birch", OWNER[1])
        expect(page.get_by_text("signed in as birch")).to_be_visible()
    office.goto("/me/sessions/")
    expect(office.locator("table.sessions tbody tr")).to_have_count(3)
    office.get_by_role("button", name="Sign out everywhere else").click()
    expect(office.get_by_text("Signed out everywhere else (2 sessions)")).to_be_visible()
    expect(office.locator("table.sessions tbody tr")).to_have_count(1)
    for page in others:
        page.reload()
        expect(page).to_have_url(re.compile(r"/login/"))
