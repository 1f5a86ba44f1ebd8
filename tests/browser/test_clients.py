"""Clients in a real browser: View Only reads and cannot change; two people, one client."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from practicegate.audit.models import AuditEvent
from practicegate.clients import services
from practicegate.clients.models import Client
from practicegate.core.scoping import account_scope
from practicegate.core.sections import SECTION_KEYS, Level
from tests.browser.helpers import log_in
from tests.clients.helpers import make_client
from tests.helpers import PASSWORD, add_member, make_account, make_user
from tests.masterfiles.helpers import add_billing, add_diagnosis, add_payer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def practice():
    account = make_account("Cedar Grove Counseling", "cedar")
    owner = account.owner
    reader = make_user("reader")
    add_member(account, reader, {**{k: int(Level.FULL) for k in SECTION_KEYS}, "clients": int(Level.VIEW)})
    colleague = make_user("colleague")
    add_member(account, colleague)
    dx = add_diagnosis(account)
    add_billing(account)
    add_payer(account)
    client = make_client(account, owner)
    for i in range(6):
        make_client(account, owner, first_name=["Amaru", "Björn", "Chidi", "Dana", "Élodie", "Farid"][i],
                    last_name=["Quispe", "Lindqvist", "Okafor", "Whitfield", "Marchand", "Haddad"][i],
                    preferred_name="", birth_date=f"19{70 + 4 * i}-0{1 + i}-1{i}",
                    mobile_phone=f"(503) 555-01{40 + 7 * i}", city="Salem" if i % 2 else "Eugene")
    with account_scope(account):
        services.client_diagnosis_add(actor=owner, account=account, client=client, code=dx, is_primary=True,
                                      start_date=date(2024, 1, 10))
    return account, client


def test_view_only_reads_a_client_and_cannot_change_it(browser_page, practice, screenshot):
    account, client = practice
    page = browser_page
    log_in(page, "reader", PASSWORD)
    sections = page.get_by_role("navigation", name="Sections")
    expect(sections.locator("li", has_text="Clients").locator(".badge")).to_have_text("View Only")
    sections.get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    expect(page.get_by_role("link", name="Add Client")).to_have_count(0)
    page.get_by_label("Search").fill("nunez")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="O'Brien-Núñez, Zoë").click()
    expect(page.locator("#client-name")).to_contain_text("Zoë O'Brien-Núñez")
    expect(page.locator("#demographics")).to_contain_text("(503) 555-0123")
    expect(page.get_by_role("link", name="Edit Demographics")).to_have_count(0)
    page.get_by_role("link", name="Diagnoses").click()
    expect(page.locator("#diagnoses")).to_contain_text("F41.1")
    expect(page.get_by_role("link", name="Add Diagnosis")).to_have_count(0)
    page.get_by_role("link", name="Access history").click()
    expect(page.locator("#access-history")).to_contain_text("reader")

    page.goto(f"/a/{account.slug}/clients/{client.number}/edit/")
    expect(page.get_by_role("heading", name="Access refused")).to_be_visible()
    # A change forged by hand, with a valid CSRF token, is refused by the access rule.
    page.goto(f"/a/{account.slug}/clients/{client.number}/")
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token, first_name: 'Forged', version: '1'});
            const r = await fetch(url, {method: 'POST', credentials: 'same-origin', body});
            return r.status;
        }""", f"/a/{account.slug}/clients/{client.number}/edit/")
    assert status == 403
    assert AuditEvent.objects.filter(action="access.denied", actor_username="reader", section="clients").exists()
    with account_scope(account):
        assert Client.objects.get(pk=client.pk).first_name == "Zoë"


def test_two_browsers_change_one_field_of_one_client_and_the_second_chooses(new_page, practice, screenshot):
    account, client = practice
    alice, bob = new_page(), new_page()
    log_in(alice, "cedar", PASSWORD)
    log_in(bob, "colleague", PASSWORD)
    alice.goto(f"/a/{account.slug}/clients/")
    screenshot(alice, "13-client-list")
    alice.get_by_role("link", name="O'Brien-Núñez, Zoë").click()
    screenshot(alice, "14-client-page")
    edit = f"/a/{account.slug}/clients/{client.number}/edit/"
    alice.goto(edit)
    bob.goto(edit)

    alice.get_by_label("Last name").fill("Alvarez")
    alice.get_by_role("button", name="Save").click()
    expect(alice.locator("#client-name")).to_contain_text("Alvarez")

    # Bob changes the last name too (and the city): the field both changed stops the save.
    bob.get_by_label("Last name").fill("Alvarado")
    bob.get_by_label("City").fill("Salem")
    bob.get_by_role("button", name="Save").click()
    conflict = bob.get_by_role("alert").filter(has_text="Not saved")
    expect(conflict).to_contain_text("cedar")
    expect(conflict).to_contain_text("Alvarez")
    expect(bob.get_by_label("City")).to_have_value("Salem")
    expect(bob.get_by_label("Keep cedar's: Alvarez")).to_be_checked()
    with account_scope(account):
        saved = Client.objects.get(pk=client.pk)
    assert (saved.last_name, saved.city) == ("Alvarez", "Portland")

    # Bob chooses his own last name, knowingly; his city is saved with it.
    bob.get_by_label("Use yours: Alvarado").check()
    bob.get_by_role("button", name="Save").click()
    expect(bob.locator("#demographics")).to_contain_text("Salem")
    with account_scope(account):
        saved.refresh_from_db()
    assert (saved.last_name, saved.city) == ("Alvarado", "Salem")


def test_the_list_counts_sorts_and_opens_a_client_by_number(browser_page, practice, screenshot):
    account, _ = practice
    page = browser_page
    log_in(page, "reader", PASSWORD)
    page.goto(f"/a/{account.slug}/clients/")
    expect(page.locator("#client-count")).to_have_text("Clients 1–7 of 7")
    expect(page.locator("#search-hint")).to_be_visible()
    page.get_by_role("link", name="Date of birth").click()
    expect(page.get_by_role("columnheader", name="Date of birth")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("#client-list tbody tr").first).to_contain_text("Quispe")  # born 1970
    page.get_by_role("link", name="Date of birth").click()  # again: the other way
    expect(page.get_by_role("columnheader", name="Date of birth")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#client-list tbody tr").first).not_to_contain_text("Quispe")
    page.get_by_label("Show").select_option("all")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{page.url.split('/a/')[0]}/a/{account.slug}/clients/?q=&status=all&sort=birth_date&dir=desc")
    shot = screenshot(page, "23-client-list-sorted")
    page.get_by_role("link", name="Haddad, Farid").click()
    with account_scope(account):
        farid = Client.objects.get(last_name="Haddad")
    expect(page).to_have_url(f"{page.url.split('/a/')[0]}/a/{account.slug}/clients/{farid.number}/")
    print(shot)
