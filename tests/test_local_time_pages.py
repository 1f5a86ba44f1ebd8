"""Local time everywhere (issue 24): every page an owner can open, with the account in
America/Los_Angeles, shows its times in Pacific time with the zone's abbreviation and its dates
as 12/07/2026, and never says "UTC" (exports keep UTC: tests/audit/test_export.py).

The pages are not listed by hand: every GET route of the URL configuration is opened, account
routes with real rows for their ids (tests/walk.py), so a new page is checked the day it exists.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from practicegate.audit.services import record
from practicegate.clients import services as client_services
from practicegate.core.scoping import account_scope
from tests.helpers import login_client
from tests.walk import account_routes, every_route, make_rows, path_for

pytestmark = pytest.mark.django_db

MOMENT = datetime(2030, 1, 15, 20, 15, tzinfo=UTC)  # 12:15 PM PST
PACIFIC = "01/15/2030 12:15 PM PST"
# A date written the ISO way in what a page shows (attributes and form values are for machines).
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Routes that answer GET with a file, not a page.
DOWNLOADS = ("export/csv/", "export/fhir/", "export.csv", "template.csv")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def pages(owner_account):
    """(path) of every GET page: the account's routes with real rows, and the pages outside it."""
    for route, _, view in sorted(account_routes()):
        yield path_for(route, owner_account.slug, make_rows(route, getattr(view, "pg_section", ""), owner_account))
    for route, _, _ in every_route():
        if "<" not in route and not route.startswith("a/"):
            yield "/" + route


@pytest.fixture
def pacific_account(owner_account, owner):
    owner_account.time_zone = "America/Los_Angeles"
    owner_account.save(update_fields=["time_zone"])
    with time_machine.travel(MOMENT, tick=False):
        record("account.update", account=owner_account, actor=owner, section="settings", target=owner_account,
               detail={"fields": ["name"]})
    rows = make_rows("a/<slug:account>/clients/<int:number>/services/<int:line_pk>/", "clients", owner_account)
    with account_scope(owner_account):
        line = rows["line_pk"]
        client_services.client_service_void(actor=owner, account=owner_account, client=rows["number"], line=line,
                                            reason="entered twice", expected_version=line.version)
    owner_account.voided_client_id = rows["number"].number
    return owner_account


def test_no_page_says_utc_and_dates_are_us(pacific_account, owner):
    http = login_client(owner)
    said_utc, iso_dates, opened = [], [], 0
    for path in pages(pacific_account):
        if path.endswith(DOWNLOADS):
            continue
        response = http.get(path, follow=False)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            continue
        opened += 1
        html = response.content.decode()
        if re.search(r"\bUTC\b", html):
            said_utc.append(path)
        found = ISO_DATE.findall(visible_text(html))
        if found:
            iso_dates.append((path, found[:3]))
    assert opened > 30
    assert said_utc == []
    assert iso_dates == []


def test_a_known_time_shows_in_pacific_time_on_the_pages_that_show_it(pacific_account, owner):
    http = login_client(owner)
    owner.last_login = MOMENT  # after the log-in, which stamps it
    owner.save(update_fields=["last_login"])
    slug = pacific_account.slug
    log = http.get(f"/a/{slug}/reports/").content.decode()
    assert f'<time datetime="2030-01-15T12:15:00-08:00">{PACIFIC}</time>' in log
    assert PACIFIC in http.get(f"/a/{slug}/access/privileges/").content.decode()  # last sign-in
    assert PACIFIC in http.get("/me/activity/").content.decode()  # the owner's zone: its home account's
    services = http.get(f"/a/{slug}/clients/{pacific_account.voided_client_id}/services/").content.decode()
    assert re.search(r"Voided \d\d/\d\d/\d{4}: entered twice", services)
    assert "01/02/2024" in services  # the walk's date of service (2024-01-02)

