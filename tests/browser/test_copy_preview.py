"""Copy Codes in a browser: Copy To never offers Copy From, counts first, folded examples with
only the differing fields under the forms' labels, and a result page that is a GET page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from practicegate.accounts import demo
from practicegate.core.demo import build_demo
from tests.browser.helpers import log_in

FORM_LABELS = {"Description", "Modifier 1", "Modifier 2", "Modifier 3", "Modifier 4", "Default fee",
               "Default units", "Active", "Name", "Electronic payer ID", "Address", "City", "State", "ZIP",
               "Phone", "Type", "Notes"}


def test_copy_preview_and_the_result_page(browser_page):
    build_demo()
    page = browser_page
    names = [name for _, name, *_ in demo.DEMO_ACCOUNTS]
    log_in(page, "practice-manager", "practice-manager-demo-passphrase")
    page.goto("/a/sunrise-counseling/access/copy/")
    copy_to = page.get_by_role("group", name="Copy To")
    # The Copy From account (the current one to start with) is not among the Copy To choices.
    expect(copy_to.get_by_label(names[0])).to_be_hidden()
    page.get_by_label("Copy From").select_option(label=names[1])
    expect(copy_to.get_by_label(names[1])).to_be_hidden()
    expect(copy_to.get_by_label(names[0])).to_be_visible()
    copy_to.get_by_label(names[0]).check()
    copy_to.get_by_label(names[2]).check()
    for label in ("Diagnosis codes", "Billing codes", "Insurance payers"):
        page.get_by_role("group", name="Files").get_by_label(label).check()
    page.get_by_role("button", name="Continue").click()

    # Counts at the top, before any example; Copy Now reachable at once by a link.
    counts = page.locator("table.counts")
    expect(counts).to_have_count(2)
    first_example = page.locator("details.differences").first
    expect(first_example).to_be_visible()
    assert counts.first.evaluate("(t, d) => !!(t.compareDocumentPosition(d) & 4)", first_example.element_handle())
    # Examples are folded; opened, each shows only differing fields, with the forms' labels.
    details = page.locator("details.differences")
    assert details.count() >= 1
    for i in range(details.count()):
        item = details.nth(i)
        expect(item).not_to_have_attribute("open", "")
        item.locator("summary").click()
        for table in item.locator("table.side-by-side").all():
            labels = table.locator("tbody th").all_inner_texts()
            assert labels and set(labels) <= FORM_LABELS, labels
            for row in table.locator("tbody tr").all():
                cells = row.locator("td").all_inner_texts()
                assert cells[0] != cells[1], cells  # identical fields are left out
    page.get_by_role("link", name="Go to Copy Now").click()
    page.get_by_role("button", name="Copy Now").click()

    # Post/redirect/get: the result is its own GET page, and reloading it copies nothing again.
    expect(page).to_have_url(re.compile(r"/a/sunrise-counseling/access/copy/done/$"))
    expect(page.get_by_role("heading", name=names[2])).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name=names[2])).to_be_visible()
    # The provider dropdown from the result page opens a page, never an error.
    page.locator("#provider-dropdown summary").click()
    page.locator(".switcher-list a", has_text=names[2]).click()
    expect(page).to_have_url(re.compile(r"/a/harbor-psychology/access/copy/$"))
    expect(page.get_by_role("heading", name="Copy Codes to Another Account")).to_be_visible()
