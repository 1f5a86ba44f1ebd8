"""A master username finds a client across its accounts in a real browser, and opens it there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from practicegate.audit.models import AuditEvent
from practicegate.core.sections import SECTION_KEYS, Level
from tests.browser.helpers import log_in
from tests.clients.helpers import make_client
from tests.helpers import PASSWORD, add_member, make_account, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_master_username_finds_a_client_in_all_its_accounts(browser_page, screenshot):
    cedar, birch, closed = (make_account(n, u) for n, u in (
        ("Cedar Grove Counseling", "cedar"), ("Birch Street Therapy", "birch"), ("Closed Door Clinic", "closed")))
    manager = make_user("manager")
    add_member(cedar, manager)
    add_member(birch, manager, {**{k: int(Level.FULL) for k in SECTION_KEYS}, "clients": int(Level.VIEW)})
    add_member(closed, manager, {**{k: int(Level.FULL) for k in SECTION_KEYS}, "clients": int(Level.NONE)})
    make_client(cedar, cedar.owner, first_name="Chidi", last_name="Okafor", birth_date="1982-03-11",
                preferred_name="", mobile_phone="(503) 555-0147")
    theirs = make_client(birch, birch.owner, first_name="Ngozi", last_name="Okafor", birth_date="1990-07-01",
                        preferred_name="", mobile_phone="(206) 555-0188")
    make_client(closed, closed.owner, first_name="Emeka", last_name="Okafor")
    make_client(birch, birch.owner, first_name="Dana", last_name="Whitfield")

    page = browser_page
    log_in(page, "manager", PASSWORD)
    page.get_by_role("link", name="Find a client").click()
    expect(page.get_by_role("heading", name="Find a client in all my accounts")).to_be_visible()
    page.get_by_label("Search").fill("okafor")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#find-summary")).to_have_text("Clients found in 2 of 2 accounts searched.")
    groups = page.locator("section.find-account")
    expect(groups).to_have_count(2)
    expect(groups.nth(0)).to_contain_text("1 client found")
    expect(groups.nth(0).get_by_role("heading")).to_have_text("Birch Street Therapy")
    expect(groups.nth(1).get_by_role("heading")).to_have_text("Cedar Grove Counseling")
    expect(page.locator("main")).not_to_contain_text("Closed Door Clinic")
    expect(page.locator("main")).not_to_contain_text("Emeka")
    expect(page.locator("main")).not_to_contain_text("Whitfield")
    screenshot(page, "15-find-a-client")

    groups.nth(0).get_by_role("link", name="Okafor, Ngozi").click()
    expect(page).to_have_url(f"{page.url.split('/a/')[0]}/a/{birch.slug}/clients/{theirs.number}/")
    expect(page.locator("#client-name")).to_contain_text("Ngozi Okafor")
    expect(page.get_by_role("link", name="Edit Demographics")).to_have_count(0)  # View Only there
    logged = {e.account_id: e.detail["shown"] for e in AuditEvent.objects.filter(
        action="phi.view", target_type="client_search_all", actor=manager)}
    assert logged == {cedar.pk: 1, birch.pk: 1}
