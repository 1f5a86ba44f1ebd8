"""Roles in a real browser (issue 26): apply a role to a username in two accounts, with the preview."""

from __future__ import annotations

from playwright.sync_api import expect

from practicegate.access.roles import SEED_ROLES
from practicegate.accounts.models import Membership
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import clean_levels, full_levels
from tests.browser.helpers import log_in
from tests.helpers import PASSWORD, add_member, make_account, make_user


def test_apply_a_role_in_two_accounts_with_the_preview(browser_page, screenshot):
    page = browser_page
    page.set_default_timeout(90_000)  # a shared, busy test machine: patience, not a speed check
    first, second = make_account("Maple Street Counseling", "maple"), make_account("Birch Family Therapy", "birch")
    third = make_account("Cedar Clinic", "cedar")  # the manager only views its Account Access
    manager, alice = make_user("manager"), make_user("alice")
    for account in (first, second):
        add_member(account, manager)
    add_member(third, manager, {**full_levels(), "account_access": 1})
    for account in (first, second, third):
        add_member(account, alice)

    log_in(page, "manager", PASSWORD)
    page.goto(f"/a/{first.slug}/access/")
    page.get_by_role("link", name="Roles").click()
    expect(page.get_by_role("rowheader", name="Biller", exact=True)).to_be_visible()
    page.get_by_role("link", name="Apply a role in several accounts").click()
    accounts = page.get_by_role("group", name="Accounts")
    expect(accounts.get_by_label("Maple Street Counseling")).to_be_visible()
    expect(accounts.get_by_label("Birch Family Therapy")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Cedar Clinic")  # not managed: not offered
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Role").select_option(label="Biller")
    accounts.get_by_label("Maple Street Counseling").check()
    accounts.get_by_label("Birch Family Therapy").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="What will change: alice, role Biller")).to_be_visible()
    for account in (first, second):
        block = page.locator(f'.preview-account[data-account="{account.slug}"]')
        expect(block.get_by_role("heading", name=account.name)).to_be_visible()
        expect(block.get_by_role("row", name="Account Access Full Access No Access")).to_be_visible()
        expect(block.get_by_role("row", name="Billing Codes Full Access Full Access")).to_have_count(0)
    screenshot(page, "roles-apply-preview")
    assert Membership.objects.get(user=alice, account=first).levels == full_levels()  # a preview changes nothing

    page.get_by_role("button", name="Apply Role").click()
    expect(page.get_by_text("alice now has the role Biller in")).to_be_visible()
    biller = clean_levels(SEED_ROLES["Biller"])
    for account in (first, second):
        assert Membership.objects.get(user=alice, account=account).levels == biller
        assert AuditEvent.objects.filter(account=account, action="privileges.apply_role").count() == 1
    assert Membership.objects.get(user=alice, account=third).levels == full_levels()
    assert not AuditEvent.objects.filter(account=third, action="privileges.apply_role").exists()
