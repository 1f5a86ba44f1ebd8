"""The same person twice, in a real browser: Add Client asks, the page passes the checkers, and
saving after "This is a different person" adds the client."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from practicegate.audit.models import AuditEvent
from practicegate.clients.models import Client
from practicegate.core.scoping import account_scope
from tests.browser.helpers import log_in
from tests.browser.walk import Findings, nu_checker_errors
from tests.clients.helpers import make_client
from tests.helpers import PASSWORD, make_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_add_client_asks_about_the_same_person_and_saves_after_the_answer(browser_page, tmp_path, screenshot):
    account = make_account("Cedar Grove Counseling", "cedar")
    first = make_client(account, account.owner, first_name="Zoë", last_name="Martínez", birth_date="1990-04-12")
    page, findings = browser_page, Findings(html_dir=tmp_path)
    log_in(page, "cedar", PASSWORD)
    page.goto(f"/a/{account.slug}/clients/add/")
    name = page.get_by_role("group", name="Name")
    name.get_by_label("First name").fill("Zoe")
    name.get_by_label("Last name").fill("Martinez")
    birth = page.get_by_role("group", name="Birth and sex")
    birth.get_by_label("Date of birth").fill("1990-04-12")
    birth.get_by_label("Sex (for claims)").select_option(label="Female")
    page.get_by_role("group", name="Address").get_by_label("City").fill("Salem")
    with page.expect_response(lambda r: r.request.resource_type == "document") as info:
        page.get_by_role("button", name="Add Client").click()
    box = page.locator("#same-person")
    expect(box).to_contain_text("this may be the same person as")
    expect(box.get_by_role("link", name=f"Client {first.number}: Zoë Martínez, born 04/12/1990")).to_be_visible()
    expect(page.get_by_label("City")).to_have_value("Salem")  # what was typed stays
    findings.check(page, info.value, "Add Client, the same person shown", expected=(400,))
    screenshot(page, "18-add-client-same-person", full_page=False)
    with account_scope(account):
        assert Client.objects.filter(account=account).count() == 1

    page.get_by_label("This is a different person").check()
    page.get_by_role("button", name="Add Client").click()
    expect(page.locator("#client-name")).to_contain_text("Zoe")
    with account_scope(account):
        assert Client.objects.filter(account=account).count() == 2
    assert AuditEvent.objects.filter(account=account, action="client.duplicate_confirmed").count() == 1

    with page.expect_response(lambda r: r.request.resource_type == "document") as info:
        page.goto(f"/a/{account.slug}/clients/{first.number}/edit/")
    findings.check(page, info.value, "Edit Demographics in fieldsets")
    assert findings.axe_serious == [] and findings.wide == []
    assert nu_checker_errors(findings) == []
