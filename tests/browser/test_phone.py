"""A 390 px phone: the left menu folds behind its Menu button, the top bar wraps, wide tables scroll in their box.

(tests/browser/test_every_page.py measures the scroll width of every page; this checks the controls.)
"""

from __future__ import annotations

from playwright.sync_api import expect

from practicegate.core.demo import build_demo
from tests.browser.helpers import log_in

PHONE = {"width": 390, "height": 844}


def test_phone_menu_button_top_bar_and_scrolling_tables(browser_page, screenshot):
    build_demo()
    page = browser_page
    log_in(page, "practice-manager", "practice-manager-demo-passphrase")
    page.set_viewport_size(PHONE)
    page.goto("/a/sunrise-counseling/reports/")
    sections = page.get_by_role("navigation", name="Sections")
    button = sections.get_by_role("button", name="Menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(sections.get_by_role("link", name="Settings")).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    screenshot(page, "13-phone-menu", full_page=False)
    current = sections.get_by_role("link", name="Reports")
    expect(current).to_be_visible()
    expect(current).to_have_attribute("aria-current", "page")
    sections.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Account settings")).to_be_visible()

    # The top bar wraps: Log out is inside the viewport, not cut off.
    log_out = page.get_by_role("button", name="Log out")
    box = log_out.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The provider dropdown's panel stays on the screen when opened.
    page.locator("#provider-dropdown summary").click()
    panel = page.locator(".switcher-panel").bounding_box()
    assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]

    # The activity log's table is wider than the phone: it scrolls inside its own box.
    page.goto("/a/sunrise-counseling/reports/")
    table = page.locator("main table").first
    sizes = table.evaluate("t => [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]")
    assert sizes[0] > sizes[1] and sizes[2] == "auto"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # On a desktop the menu is a plain column with no button.
    page.set_viewport_size({"width": 1280, "height": 860})
    expect(button).to_be_hidden()
    expect(sections.get_by_role("link", name="Settings")).to_be_visible()
    expect(sections.get_by_role("link", name="Reports")).to_have_attribute("aria-current", "page")
    expect(sections.get_by_role("link", name="Settings")).not_to_have_attribute("aria-current", "page")
