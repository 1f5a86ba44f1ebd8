"""Issue 23's scenario in two browsers: a stale save of other fields merges, and only a field
both people changed asks which value to keep. Nothing typed by either is lost."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from practicegate.audit.models import AuditEvent
from practicegate.clients.models import Client
from practicegate.core.scoping import account_scope
from tests.browser.helpers import log_in
from tests.clients.helpers import make_client
from tests.helpers import PASSWORD, add_member, make_account, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def practice():
    account = make_account("Cedar Grove Counseling", "cedar")
    manager = make_user("practice-manager")
    add_member(account, manager)
    return account, make_client(account, account.owner, work_phone="(206) 555-0100")


def test_a_stale_save_merges_and_a_field_both_changed_is_chosen(new_page, practice):
    account, client = practice
    tab_a, tab_b = new_page(), new_page()
    log_in(tab_a, "practice-manager", PASSWORD)
    log_in(tab_b, "cedar", PASSWORD)
    edit = f"/a/{account.slug}/clients/{client.number}/edit/"
    tab_b.goto(edit)  # opened before A saves
    tab_a.goto(edit)

    tab_a.get_by_label("Work phone").fill("(206) 555-0111")
    tab_a.get_by_label("Emergency contact", exact=True).fill("Pat Doe")
    tab_a.get_by_role("button", name="Save").click()
    expect(tab_a.locator("#demographics")).to_contain_text("Pat Doe")

    # B's form still holds the old work phone and no emergency contact; B changes only the e-mail.
    tab_b.get_by_label("E-mail").fill("zoe.new@example.org")
    tab_b.get_by_role("button", name="Save").click()
    notice = tab_b.get_by_text("Merged with practice-manager's change of")
    expect(notice).to_contain_text("Work phone, Emergency contact")
    expect(tab_b.locator("#demographics")).to_contain_text("(206) 555-0111")
    expect(tab_b.locator("#demographics")).to_contain_text("Pat Doe")
    with account_scope(account):
        saved = Client.objects.get(pk=client.pk)
    assert (saved.work_phone, saved.emergency_name, saved.email) == ("+12065550111", "Pat Doe", "zoe.new@example.org")
    assert AuditEvent.objects.filter(account=account, action="edit.merged", actor__username="cedar").count() == 1

    # Both change the work phone from the same page: B is asked, A's number selected, phones as pages show them.
    tab_a.goto(edit)
    tab_b.goto(edit)
    tab_a.get_by_label("Work phone").fill("(206) 555-0133")
    tab_a.get_by_role("button", name="Save").click()
    expect(tab_a.locator("#demographics")).to_contain_text("(206) 555-0133")
    tab_b.get_by_label("Work phone").fill("(206) 555-0144")
    tab_b.get_by_label("City").fill("Salem")
    tab_b.get_by_role("button", name="Save").click()
    conflict = tab_b.get_by_role("alert").filter(has_text="Not saved")
    expect(conflict).to_contain_text("Both of you changed Work phone")
    expect(conflict).not_to_contain_text("+1206")
    expect(tab_b.get_by_label("Keep practice-manager's: (206) 555-0133")).to_be_checked()
    with account_scope(account):
        saved.refresh_from_db()
    assert (saved.work_phone, saved.city) == ("+12065550133", "Portland")

    # Submitting the choice as offered keeps A's number and saves B's city.
    tab_b.get_by_role("button", name="Save").click()
    expect(tab_b.locator("#demographics")).to_contain_text("Salem")
    with account_scope(account):
        saved.refresh_from_db()
    assert (saved.work_phone, saved.city, saved.emergency_name) == ("+12065550133", "Salem", "Pat Doe")
