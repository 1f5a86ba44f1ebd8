from __future__ import annotations

import re

from playwright.sync_api import expect

from practicegate.accounts.models import Account
from tests.browser.helpers import log_in, log_out, sign_up

PASSWORD_A = "maple leaves fall softly in october"
PASSWORD_B = "harbor lights shine across the water"


def test_sign_up_two_providers_log_out_and_back_in(browser_page, screenshot):
    page = browser_page
    page.goto("/")
    expect(page.get_by_role("button", name="Create My Account")).to_be_visible()
    screenshot(page, "01-sign-up")

    sign_up(page, provider="Maple Street Counseling", email="maple@example.org", username="maple",
            password=PASSWORD_A)
    expect(page.get_by_role("heading", name="Maple Street Counseling")).to_be_visible()
    expect(page.locator(".whoami")).to_have_text("signed in as maple")
    screenshot(page, "02-account-home")
    log_out(page)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    sign_up(page, provider="Harbor Psychology", email="harbor@example.org", username="harborpsych",
            password=PASSWORD_B)
    expect(page.get_by_role("heading", name="Harbor Psychology")).to_be_visible()
    log_out(page)

    log_in(page, "maple", "wrong password for this username")
    expect(page.get_by_text("That username and password do not match")).to_be_visible()
    screenshot(page, "03-log-in")
    log_in(page, "Maple", PASSWORD_A)  # usernames are not case-sensitive
    slug = Account.objects.get(name="Maple Street Counseling").slug
    expect(page).to_have_url(re.compile(f"/a/{slug}/$"))
    expect(page.get_by_role("heading", name="Maple Street Counseling")).to_be_visible()
    menu = page.get_by_role("navigation", name="Sections")
    for label in ("Clients", "Diagnosis Codes", "Reports", "Account Access", "Settings"):
        expect(menu.get_by_text(label, exact=True)).to_be_visible()
    # The provider dropdown lists this username's one account, marked current.
    page.locator("#provider-dropdown summary").click()
    expect(page.locator(".switcher-list a.current")).to_contain_text("Maple Street Counseling")
    expect(page.locator(".switcher-list li")).to_have_count(1)


def test_sign_up_shows_field_errors_in_the_browser(browser_page):
    page = browser_page
    sign_up(page, provider="Short Password Practice", email="short@example.org", username="shorty",
            password="too short")
    expect(page.get_by_text("This password is too short")).to_be_visible()
    assert not Account.objects.filter(name="Short Password Practice").exists()
