"""The lookup boxes of the line forms in a real browser, with the keyboard alone."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from practicegate.clients.models import ClientDiagnosis, ClientPolicy
from practicegate.core.scoping import account_scope
from practicegate.masterfiles import services as masterfile_services
from tests.browser.helpers import log_in
from tests.browser.walk import AXE_OPTIONS, FAILING_IMPACTS
from tests.clients.helpers import make_client
from tests.helpers import PASSWORD, make_account
from tests.masterfiles.helpers import add_payer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def practice():
    account = make_account("Cedar Grove Counseling", "cedar")
    with account_scope(account):
        masterfile_services.icd10_import(actor=account.owner, account=account, preset="mental")  # 871 codes
    add_payer(account, "Blue Harbor Health", "BHH01")
    add_payer(account, "Harbor Mutual", "HM002")
    return account, make_client(account, account.owner)


def tab_to(page, locator, *, limit: int = 40) -> None:
    """Press Tab until `locator` has the focus, as a person without a mouse would."""
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("Tab never reached the box")


def serious_axe_findings(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS).response
    return [f"{v['id']}: {v['help']}" for v in results["violations"] if v["impact"] in FAILING_IMPACTS]


def test_a_diagnosis_is_found_by_words_and_added_with_the_keyboard_alone(browser_page, practice, screenshot):
    account, client = practice
    page = browser_page
    log_in(page, "cedar", PASSWORD)
    page.goto(f"/a/{account.slug}/clients/{client.number}/diagnoses/add/")
    box = page.get_by_role("combobox", name="Diagnosis code")
    expect(box).to_have_attribute("aria-expanded", "false")
    tab_to(page, box)

    page.keyboard.type("generalized anxiety", delay=20)
    listbox = page.get_by_role("listbox", name="Matching diagnosis codes")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    option = listbox.get_by_role("option", name="F41.1 Generalized anxiety disorder")
    expect(option).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Enter to choose")).to_have_count(1)

    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    assert serious_axe_findings(page) == []  # the form with its list open
    screenshot(page, "19-diagnosis-lookup", full_page=False)

    page.keyboard.press("Enter")  # chooses; the form is not sent yet
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("F41.1 Generalized anxiety disorder")
    assert page.url.endswith("/diagnoses/add/")

    page.keyboard.press("Enter")  # the list is closed: Enter sends the form
    expect(page.get_by_text("Added the diagnosis.")).to_be_visible()
    with account_scope(account):
        line = ClientDiagnosis.objects.select_related("code").get(client=client)
    assert line.code.code == "F411"


def test_escape_closes_the_list_and_up_wraps_to_the_last_match(browser_page, practice):
    account, client = practice
    page = browser_page
    log_in(page, "cedar", PASSWORD)
    page.goto(f"/a/{account.slug}/clients/{client.number}/insurance/add/")
    box = page.get_by_role("combobox", name="Insurance payer")
    tab_to(page, box)
    page.keyboard.type("harbor", delay=20)
    listbox = page.get_by_role("listbox", name="Matching insurance payers")
    expect(listbox.get_by_role("option")).to_have_count(2)
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    page.keyboard.press("ArrowUp")  # opens the list again on its last match
    last = listbox.get_by_role("option", name="Harbor Mutual (HM002)")
    expect(last).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(box).to_have_value("Harbor Mutual (HM002)")
    tab_to(page, page.get_by_label("Member ID"))
    page.keyboard.type("XJ123")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Added the insurance policy.")).to_be_visible()
    with account_scope(account):
        assert ClientPolicy.objects.get(client=client).payer.name == "Harbor Mutual"


def test_words_sent_without_choosing_come_back_as_a_choose_step(browser_page, practice):
    account, client = practice
    page = browser_page
    log_in(page, "cedar", PASSWORD)
    page.goto(f"/a/{account.slug}/clients/{client.number}/diagnoses/add/")
    box = page.get_by_role("combobox", name="Diagnosis code")
    tab_to(page, box)
    page.keyboard.type("F41", delay=20)
    expect(page.get_by_role("listbox", name="Matching diagnosis codes")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")  # no match chosen: the form goes with the words
    choices = page.get_by_role("group", name="Diagnosis codes matching “F41”")
    expect(choices).to_be_visible()
    assert serious_axe_findings(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 860})
    radio = choices.get_by_label("F41.1 Generalized anxiety disorder")
    tab_to(page, choices.get_by_role("radio").first, limit=60)  # Tab reaches the group; arrows move within it
    while not radio.evaluate("el => el.checked"):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Added the diagnosis.")).to_be_visible()
    with account_scope(account):
        assert ClientDiagnosis.objects.get(client=client).code.code == "F411"


def test_without_javascript_words_lead_to_a_choose_step(chromium, live_server, practice):
    account, client = practice
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "cedar", PASSWORD)
        page.goto(f"/a/{account.slug}/clients/{client.number}/diagnoses/add/")
        page.get_by_label("Diagnosis code").fill("generalized anxiety")
        page.get_by_role("button", name="Add Diagnosis").click()
        choices = page.get_by_role("group", name="The diagnosis code matching “generalized anxiety”")
        choices.get_by_label("F41.1 Generalized anxiety disorder").check()
        page.get_by_role("button", name="Add Diagnosis").click()
        expect(page.get_by_text("Added the diagnosis.")).to_be_visible()
    finally:
        context.close()
    with account_scope(account):
        assert ClientDiagnosis.objects.get(client=client).code.code == "F411"
