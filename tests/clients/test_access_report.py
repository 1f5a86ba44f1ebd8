"""A client's access report: the page, the picker (Who accessed a client) and the PDF."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pypdf import PdfReader

from practicegate.audit.models import AuditEvent
from practicegate.clients.access_report import ACTION as REPORT_ACTION
from practicegate.clients.models import Client, ClientSearch
from practicegate.clients.report_pdf import INTACT, NOT_INTACT
from practicegate.clients.selectors import client_get, searches_not_matching_the_log
from practicegate.core.scoping import account_scope
from tests.audit.helpers import Tamper, chain_of
from tests.clients.helpers import client_data, make_client, url
from tests.helpers import add_member, login_client, rows_of

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def events(account, **filters):
    return AuditEvent.objects.filter(account=account, **filters).order_by("seq")


@pytest.fixture
def anna(owner_account, owner):
    return make_client(owner_account, owner, first_name="Anna", last_name="Adams", preferred_name="")


def test_the_page_lists_views_and_changes_of_this_client_with_who_where_and_what(
        owner_account, owner, owner_http, viewer_http, anna):
    other = make_client(owner_account, owner, first_name="Bert", last_name="Other")
    viewer_http.get(url(owner_account, "diagnoses", number=anna.number), REMOTE_ADDR="203.0.113.7")
    owner_http.get(url(owner_account, "detail", number=other.number))
    assert owner_http.post(url(owner_account, "edit", number=anna.number),
                           client_data(first_name="Anna", last_name="Adams", preferred_name="", city="Salem",
                                       version="1")).status_code == 302
    mine = events(owner_account, target_type="client", target_id=str(anna.pk)).count()
    response = viewer_http.get(url(owner_account, "access-report", number=anna.number))
    assert response.status_code == 200
    page = response.content.decode()
    table = page[page.index('id="access-report"'):]
    assert "Anna Adams" in page and "viewer" in table and "sunrise" in table
    assert "203.0.113.7" in table
    assert "Viewed protected health information: Diagnoses" in table
    assert "Changed a client&#x27;s demographics (City)" in table and "Salem" not in table
    assert "Added a client" in table
    # Only this client's events: one row each, the viewing of the other client not among them.
    assert table[:table.index("</table>")].count("<tr>") == 1 + mine and "Bert" not in page
    # View Only sees the page but not the download (an export needs Full Access, as Export to CSV).
    assert "access-report-pdf" not in page and "needs Full Access on Clients" in page
    # The page is itself logged as a read of this client.
    last = events(owner_account, actor_username="viewer").last()
    assert (last.action, last.target_type, last.target_id) == ("phi.view", "client", str(anna.pk))
    assert last.detail["tab"] == "access_report" and "date_from" in last.detail


def test_the_dates_narrow_the_report_and_default_to_the_last_90_days(owner_account, owner, owner_http, anna):
    today = timezone.localdate(timezone=ZoneInfo(owner_account.time_zone))  # the page's day is the account's
    page = owner_http.get(url(owner_account, "access-report", number=anna.number)).content.decode()
    # Added today: the default starts on the day the client was added.
    assert f"From {today:%m/%d/%Y} to {today:%m/%d/%Y}" in page
    yesterday = (today - timedelta(days=1)).isoformat()
    page = owner_http.get(url(owner_account, "access-report", number=anna.number),
                          {"date_from": "2020-01-01", "date_to": yesterday}).content.decode()
    table = page[page.index('id="access-report"'):]
    assert "Nobody viewed or changed" in table and "Added a client" not in table


@pytest.mark.parametrize("query, message", [
    ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "after the"),
    ({"date_from": "yesterday"}, "Enter a valid date"),
    ({"date_to": "0001-01-01"}, "Enter a date from"),
    ({"date_from": "2026-02-30"}, "Enter a valid date"),
])
@pytest.mark.parametrize("name", ["access-report", "access-report-pdf"])
def test_bad_dates_get_a_message_and_make_no_report(owner_account, owner_http, anna, query, message, name):
    before = events(owner_account, action="client.access_report").count()
    response = owner_http.get(url(owner_account, name, number=anna.number), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert events(owner_account, action="client.access_report").count() == before


def test_another_accounts_client_is_404_and_not_named(owner_account, other_account, owner, anna):
    stranger_client = make_client(other_account, other_account.owner, first_name="Cora", last_name="Hidden")
    # A number this account has no client with (each account's first client is #1, so #1 here is Anna).
    Client._base_manager.filter(pk=stranger_client.pk).update(number=987654)
    stranger_client.number = 987654
    add_member(other_account, owner)  # even a username who may see that client in its own account
    http = login_client(owner)
    for name in ("access-report", "access-report-pdf"):
        response = http.get(url(owner_account, name, number=stranger_client.number))
        assert response.status_code == 404 and "Hidden" not in response.content.decode()


def test_no_access_on_clients_is_refused_and_sees_no_name(owner_account, blocked, anna):
    http = login_client(blocked)
    for name, kwargs, query in (("access-report", {"number": anna.number}, {}),
                                ("access-report-pdf", {"number": anna.number}, {}),
                                ("access-report-pick", {}, {"q": "Adams"})):
        response = http.get(url(owner_account, name, **kwargs), query)
        assert response.status_code == 403
        assert "Adams" not in response.content.decode()
    assert events(owner_account, actor_username="blocked", action="access.denied").count() == 3
    # The Activity Log (Reports: Full) does not offer the picker to this username.
    log = http.get(f"/a/{owner_account.slug}/reports/").content.decode()
    assert "Who accessed a client" not in log and "Adams" not in log


def test_the_picker_finds_clients_by_name_or_number_and_logs_what_it_showed(
        owner_account, owner, viewer_http, anna):
    make_client(owner_account, owner, first_name="Bea", last_name="Adamson")
    log = viewer_http.get(f"/a/{owner_account.slug}/reports/").content.decode()
    assert url(owner_account, "access-report-pick") in log
    page = viewer_http.get(url(owner_account, "access-report-pick"), {"q": "adams"}).content.decode()
    assert "Anna Adams" in page and "Bea Adamson" in page
    assert url(owner_account, "access-report", number=anna.number) in page
    event = events(owner_account, actor_username="viewer", action="phi.view").last()
    assert event.target_type == "client_list" and event.detail["shown"] == 2 and anna.pk in event.detail["client_ids"]
    assert "adams" not in str(event.detail).lower()  # the terms are kept beside the event, not in it
    with account_scope(owner_account):  # ... and `audit verify` holds them to it, as the Clients list's
        assert searches_not_matching_the_log(owner_account) == []
        assert rows_of(ClientSearch, owner_account).get(event=event).terms == "adams"
    page = viewer_http.get(url(owner_account, "access-report-pick"), {"q": str(anna.number)}).content.decode()
    assert "Anna Adams" in page and "Adamson" not in page
    page = viewer_http.get(url(owner_account, "access-report-pick"), {"q": "Nobody"}).content.decode()
    assert "No client matches" in page
    # Without a search nothing is shown, and no client is read.
    before = events(owner_account, action="phi.view").count()
    page = viewer_http.get(url(owner_account, "access-report-pick")).content.decode()
    assert "Adams" not in page and events(owner_account, action="phi.view").count() == before


def test_the_pdf_reads_back_with_the_client_the_rows_and_the_verification(
        owner_account, owner, owner_http, viewer_http, anna):
    viewer_http.get(url(owner_account, "insurance", number=anna.number), REMOTE_ADDR="198.51.100.23")
    today = timezone.localdate(timezone=ZoneInfo(owner_account.time_zone))  # the report's day is the account's
    response = owner_http.get(url(owner_account, "access-report-pdf", number=anna.number))
    assert "attachment;" in response["Content-Disposition"]
    text = pdf_text(response)
    assert "Client access report" in text
    assert "Sunrise Counseling" in text
    assert "Anna Adams" in text and f"client number {anna.number}" in text
    assert f"{today:%m/%d/%Y} to {today:%m/%d/%Y}" in text
    assert "time zone" in text
    assert "viewer" in text and "198.51.100.23" in text and "Viewed protected health information: Insurance" in text
    assert "Added a client" in text
    assert " ".join(INTACT.split()) in " ".join(text.split())
    assert "by sunrise" in text
    # Producing it is logged: the client as target, the counts and the verification's answer.
    event = events(owner_account, action=REPORT_ACTION).last()
    assert event.actor_username == "sunrise" and event.target_type == "client" and event.target_id == str(anna.pk)
    assert event.detail["events"] == int(response["X-Event-Count"]) == 2  # added, viewed
    assert event.detail["log_intact"] is True and event.detail["format"] == "pdf"
    assert f"event {event.seq}" in text
    # The next report lists the first one.
    assert "Downloaded a client's access report" in pdf_text(
        owner_http.get(url(owner_account, "access-report-pdf", number=anna.number)))


def test_the_pdf_says_when_the_log_did_not_verify(owner_account, owner, owner_http, anna):
    owner_http.get(url(owner_account, "detail", number=anna.number))
    with Tamper(chain_of(owner_account)) as t:
        t.flip(2, "actor_username")
    text = " ".join(pdf_text(owner_http.get(url(owner_account, "access-report-pdf", number=anna.number))).split())
    assert " ".join(NOT_INTACT.split()) in text and " ".join(INTACT.split()) not in text
    assert "event 2" in text and "may be incomplete or altered" in text
    assert events(owner_account, action=REPORT_ACTION).last().detail["log_intact"] is False


def test_view_only_may_not_download_the_pdf(owner_account, viewer_http, anna):
    response = viewer_http.get(url(owner_account, "access-report-pdf", number=anna.number))
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")


def test_a_name_with_accents_survives_in_the_pdf(owner_account, owner, owner_http):
    zoe = make_client(owner_account, owner)  # Zoë O'Brien-Núñez
    with account_scope(owner_account):
        assert client_get(owner_account, zoe.number).full_name in pdf_text(
            owner_http.get(url(owner_account, "access-report-pdf", number=zoe.number)))


def test_lists_searches_and_exports_that_showed_the_client_are_reported(owner_account, owner, owner_http,
                                                                        viewer_http, anna):
    bert = make_client(owner_account, owner, first_name="Bert", last_name="Other")
    viewer_http.get(url(owner_account, "list"), {"q": "Adams"}, REMOTE_ADDR="192.0.2.44")  # shows Anna
    viewer_http.get(url(owner_account, "list"), {"q": "Other"})  # shows Bert only
    owner_http.get(url(owner_account, "export"), {"status": "all"})
    page = owner_http.get(url(owner_account, "access-report", number=anna.number)).content.decode()
    lists = page[page.index('id="access-report-lists"'):]
    assert "Shown in the Clients list, searched by name" in lists and "192.0.2.44" in lists
    assert "Exported the client list to CSV (all clients, 2 rows)" in lists
    assert lists.count("<tr>") == 1 + 2  # Bert's search is not Anna's
    page = owner_http.get(url(owner_account, "access-report", number=bert.number)).content.decode()
    assert page[page.index('id="access-report-lists"'):].count("<tr>") == 1 + 2
    text = " ".join(pdf_text(owner_http.get(url(owner_account, "access-report-pdf", number=anna.number))).split())
    assert "Shown in the Clients list, searched by name" in text and "192.0.2.44" in text
    assert events(owner_account, action=REPORT_ACTION).last().detail["lists"] == 2
