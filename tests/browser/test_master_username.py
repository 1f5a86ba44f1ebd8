"""The help page's workflow, step by step, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from practicegate.accounts.models import Account, Membership
from practicegate.audit.models import AuditEvent
from tests.browser.helpers import log_in, log_out, sign_up
from tests.helpers import PASSWORD, make_account

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
    # Issue 26: a new username starts with the least role unless another is chosen; the master
    # username needs Full Access to reach Access Other Accounts.
    page.get_by_label("Role").select_option(label="Full Access everywhere (this account's starting privileges)")
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


@pytest.mark.django_db(transaction=True)
def test_a_join_code_is_copied_and_joins_when_typed_in_lower_case(new_page, screenshot):
    cedar = make_account("Cedar Grove Counseling", "cedar")
    birch = make_account("Birch Street Therapy", "birch")
    giver = new_page()
    giver.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(giver, "birch", PASSWORD)
    open_account_access(giver, "Join Codes")
    giver.get_by_role("button", name="Create Join Code").click()
    code = giver.locator("#new-join-code").inner_text()
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}", code), code
    giver.get_by_role("button", name="Copy").click()
    expect(giver.locator(".copy-result")).to_have_text("Copied.")
    assert giver.evaluate("navigator.clipboard.readText()") == code
    screenshot(giver, "20-join-code")

    # Read out on the phone and typed in lower case, in groups with spaces.
    joiner = new_page()
    log_in(joiner, "cedar", PASSWORD)
    open_account_access(joiner, "Access Other Accounts")
    joiner.get_by_label("Join code").fill(code.lower().replace("-", " "))
    joiner.get_by_role("button", name="Join with Code").click()
    expect(joiner.get_by_text("can now reach Birch Street Therapy")).to_be_visible()
    assert Membership.objects.filter(user=cedar.owner, account=birch).exists()

    # Used once: the same code again says so, and names no account.
    open_account_access(joiner, "Access Other Accounts")
    joiner.get_by_label("Join code").fill(code)
    joiner.get_by_role("button", name="Join with Code").click()
    expect(joiner.locator("#join-code")).to_contain_text("This join code has already been used")
