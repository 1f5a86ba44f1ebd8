"""Username Privileges in a real browser: View Only shows no edit controls and refuses forged changes."""

from __future__ import annotations

from playwright.sync_api import expect

from practicegate.accounts.models import Account
from practicegate.audit.models import AuditEvent
from tests.browser.helpers import log_in, log_out, sign_up

OWNER = ("maple", "maple leaves fall softly in october")
ASSISTANT = ("front-desk", "front desk mornings are always busy")


def test_owner_narrows_a_username_to_view_only(browser_page, screenshot):
    page = browser_page
    sign_up(page, provider="Maple Street Counseling", email="maple@example.org", username=OWNER[0],
            password=OWNER[1])
    sections = page.get_by_role("navigation", name="Sections")
    sections.get_by_role("link", name="Account Access").click()
    page.get_by_role("link", name="Allow Account Access").click()
    page.get_by_label("Username").fill(ASSISTANT[0])
    page.get_by_label("Password", exact=True).fill(ASSISTANT[1])
    page.get_by_label("Password again").fill(ASSISTANT[1])
    # Issue 26: without a choice a new username gets the least role; this one starts at Full Access.
    page.get_by_label("Role").select_option(label="Full Access everywhere (this account's starting privileges)")
    page.get_by_role("button", name="Add Username").click()

    sections.get_by_role("link", name="Account Access").click()
    page.get_by_role("link", name="Username Privileges").click()
    page.locator(f'tr[data-username="{ASSISTANT[0]}"] a.plus').click()
    page.locator("tr", has_text="Settings").get_by_label("View Only").check()
    page.locator("tr", has_text="Reports").get_by_label("No Access").check()
    page.get_by_role("button", name="Save").click()
    row = page.locator(f'tr[data-username="{ASSISTANT[0]}"]')
    expect(row).to_contain_text("View Only")
    # The grid: each section with its level, No Access in plain text, the owner's lock as text.
    expect(row.locator(".lvl", has_text="Settings").locator("dd")).to_have_text("View Only")
    expect(row.locator(".lvl-0")).to_have_text("ReportsNo Access")
    assert row.locator(".lvl-0").evaluate_all(
        "els => els.every(e => getComputedStyle(e).textDecorationLine === 'none')")
    owner_row = page.locator(f'tr[data-username="{OWNER[0]}"]')
    expect(owner_row.locator(".owner-lock")).to_have_text("Locked")
    expect(owner_row.locator("svg.lock-icon")).to_be_visible()
    screenshot(page, "07-username-privileges")
    log_out(page)

    log_in(page, *ASSISTANT)
    slug = Account.objects.get(name="Maple Street Counseling").slug
    menu_item = sections.locator("li", has_text="Settings")
    expect(menu_item.locator(".badge")).to_have_text("View Only")
    menu_item.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Account settings")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    screenshot(page, "08-view-only-settings")

    # A change forged by hand (with a valid CSRF token) is refused and logged.
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token, name: 'Forged', email: 'f@example.org'});
            const response = await fetch(url, {method: 'POST', body, credentials: 'same-origin'});
            return response.status;
        }""",
        f"/a/{slug}/settings/",
    )
    assert status == 403
    assert Account.objects.get(slug=slug).name == "Maple Street Counseling"
    denied = AuditEvent.objects.filter(action="access.denied", actor_username=ASSISTANT[0]).latest("seq")
    assert denied.section == "settings" and denied.outcome == "denied" and denied.detail["method"] == "POST"
