"""The demo practice in a real browser: a child's file names a parent, its visits are on weekdays
with each add-on beside its primary code (the screenshot of a believable demo client)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from practicegate.accounts import demo as accounts_demo
from practicegate.clients import demo as clients_demo
from practicegate.clients.models import Client, ClientService
from practicegate.core.demo import build_demo
from practicegate.core.scoping import across_accounts
from tests.browser.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_demo_child_has_a_parent_as_emergency_contact(browser_page, screenshot):
    build_demo()
    slug, _name, username, password = accounts_demo.DEMO_ACCOUNTS[0]
    today = date.today()
    with across_accounts():
        with_addon = set(ClientService.objects.filter(account__slug=slug, billing_code__code="90785")
                         .values_list("client_id", flat=True))
        child = next(c for c in Client.objects.filter(account__slug=slug, status="active").order_by("number")
                     if clients_demo.age_on(c.birth_date, today) < 12 and c.pk in with_addon)
    page = browser_page
    log_in(page, username, password)
    page.goto(reverse("clients:detail", kwargs={"account": slug, "number": child.number}))
    expect(page.locator("#demographics")).to_contain_text(f"{child.emergency_name} ({child.emergency_relationship})")
    assert child.emergency_relationship in ("Mother", "Father", "Parent", "Guardian")
    screenshot(page, "21-demo-client")
    page.goto(reverse("clients:services", kwargs={"account": slug, "number": child.number}))
    expect(page.locator("main")).to_contain_text("90785")
    screenshot(page, "22-demo-client-services")
