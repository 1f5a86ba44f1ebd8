"""The help page's workflow, step by step, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from practicegate.accounts.models import Account
from practicegate.audit.models import AuditEvent
from tests.browser.helpers import log_in, log_out, sign_up

PROVIDERS = [
    ("Maple Street Counseling", "maple", "maple leaves fall softly in october"),
    ("Harbor Psychology", "harborpsych", "harbor lights shine across the water"),
    ("Cedar Family Therapy", "cedar", "cedar branches sway in the evening"),
]
MASTER = ("practice-manager", "one login for every provider account")


def open_account_access(page, action: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Account Access").click()
    page.get_by_role("link", name=action).click()


def test_master_username_joins_two_accounts_and_switches(browser_page, screenshot):
    page = browser_page
    # Create Provider Accounts
    for provider, username, password in PROVIDERS:
        sign_up(page, provider=provider, email=f"{username}@example.org", username=username, password=password)
        expect(page.get_by_role("heading", name=provider)).to_be_visible()
        log_out(page)

    # Create Master Username & Password (in the first provider's account)
    log_in(page, PROVIDERS[0][1], PROVIDERS[0][2])
    open_account_access(page, "Allow Account Access")
    page.get_by_label("Username").fill(MASTER[0])
    page.get_by_label("Password", exact=True).fill(MASTER[1])
    page.get_by_label("Password again").fill(MASTER[1])
    screenshot(page, "04-allow-account-access")
    page.get_by_role("button", name="Add Username").click()
    expect(page.get_by_text(MASTER[0]).first).to_be_visible()
    log_out(page)

    # Access Other Accounts: log in as the master username, join the other two
    log_in(page, *MASTER)
    maple = Account.objects.get(name=PROVIDERS[0][0])
    expect(page).to_have_url(re.compile(f"/a/{maple.slug}/$"))
    for provider, username, password in PROVIDERS[1:]:
        open_account_access(page, "Access Other Accounts")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Find Account").click()
        expect(page.get_by_text(provider).first).to_be_visible()
        if provider == PROVIDERS[1][0]:
            screenshot(page, "05-join-account")
        page.get_by_role("button", name="Join Account").click()

    # The provider dropdown shows all three; switching opens the other account.
    page.locator("#provider-dropdown summary").click()
    items = page.locator(".switcher-list li")
    expect(items).to_have_count(3)
    screenshot(page, "06-provider-dropdown")
    page.locator(".switcher-list a", has_text=PROVIDERS[2][0]).click()
    cedar = Account.objects.get(name=PROVIDERS[2][0])
    expect(page).to_have_url(re.compile(f"/a/{cedar.slug}/"))
    expect(page.locator("#provider-dropdown summary")).to_have_text(f"Provider account: {PROVIDERS[2][0]}")
    switch = AuditEvent.objects.filter(action="account.switch", account=cedar).latest("seq")
    assert switch.actor_username == MASTER[0]
