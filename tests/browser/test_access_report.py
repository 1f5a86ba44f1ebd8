"""Who accessed a client, in a real browser: from the Activity Log to the report and its PDF."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from practicegate.core.sections import SECTION_KEYS, Level
from tests.browser.helpers import log_in
from tests.clients.helpers import make_client
from tests.helpers import PASSWORD, add_member, make_account, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_owner_finds_who_looked_at_a_client_and_downloads_the_pdf(browser_page, screenshot, tmp_path):
    account = make_account("Cedar Grove Counseling", "cedar")
    biller = make_user("biller")
    add_member(account, biller, {**{k: int(Level.FULL) for k in SECTION_KEYS}, "clients": int(Level.VIEW)})
    anna = make_client(account, account.owner, first_name="Anna", last_name="Adams", preferred_name="")
    make_client(account, account.owner, first_name="Bea", last_name="Adamson", preferred_name="")
    page = browser_page

    log_in(page, "biller", PASSWORD)  # someone looks at Anna's record
    page.goto(f"/a/{account.slug}/clients/{anna.number}/insurance/")
    page.get_by_role("button", name="Log out").click()

    log_in(page, "cedar", PASSWORD)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Reports").click()
    expect(page.locator("table.events")).to_contain_text("biller")  # the owner sees who looked, by name
    expect(page.locator("table.events")).to_contain_text("Anna Adams")
    screenshot(page, "17-activity-log")
    page.get_by_role("link", name="Who accessed a client").click()
    page.get_by_label("Client").fill("adams")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#access-report-choices")).to_contain_text("Bea Adamson")
    page.get_by_role("link", name="Anna Adams").click()
    table = page.locator("#access-report")
    expect(table).to_contain_text("biller")
    expect(table).to_contain_text("Viewed protected health information: Insurance")
    page.get_by_label("From").fill(date.today().replace(day=1).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-range")).to_contain_text("(both included)")
    screenshot(page, "16-access-report")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert "Anna Adams" in text and "biller" in text
    assert "verified intact when this report was made" in text
