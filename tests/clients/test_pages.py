"""The Clients pages at each level: View Only reads everything and changes nothing."""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.clients.models import Client, ClientDiagnosis, ClientPolicy, ClientService
from practicegate.core.scoping import account_scope
from tests.clients.helpers import client_data, make_client, url
from tests.helpers import add_member, login_client

pytestmark = pytest.mark.django_db

TABS = ("detail", "diagnoses", "insurance", "services", "access-history")


def count(model, account):
    with account_scope(account):
        return model.objects.filter(account=account).count()


def test_the_menu_links_to_the_client_list(owner_account, owner_http):
    page = owner_http.get(f"/a/{owner_account.slug}/").content.decode()
    assert url(owner_account, "list") in page


def test_full_access_adds_a_client_and_reads_every_tab(owner_account, owner_http, codes):
    response = owner_http.post(url(owner_account, "add"), client_data())
    assert response.status_code == 302
    with account_scope(owner_account):
        client = Client.objects.get(account=owner_account)
    assert client.number == 1 and client.mobile_phone == "+15035550123"
    for tab in TABS:
        page = owner_http.get(url(owner_account, tab, number=client.number))
        assert page.status_code == 200, tab
        assert "Zoë O&#x27;Brien-Núñez" in page.content.decode() or "O&#x27;Brien-Núñez" in page.content.decode()
    assert "(503) 555-0123" in owner_http.get(url(owner_account, "detail", number=client.number)).content.decode()


def test_full_access_adds_lines(owner_account, owner_http, codes, client_row):
    number = client_row.number
    r = owner_http.post(url(owner_account, "diagnosis-add", number=number),
                        {"code": "f41.1", "is_primary": "on", "start_date": "2024-02-01"})
    assert r.status_code == 302, r.content.decode()
    r = owner_http.post(url(owner_account, "policy-add", number=number),
                        {"payer": codes["payer"].pk, "priority": "1", "member_id": "XJ123", "group_number": "",
                         "subscriber": "self", "effective_date": "2024-01-01"})
    assert r.status_code == 302, r.content.decode()
    with account_scope(owner_account):
        dx = ClientDiagnosis.objects.get(client=client_row)
    r = owner_http.post(url(owner_account, "service-add", number=number),
                        {"service_date": "2024-02-02", "billing_code": codes["billing"].pk, "units": "",
                         "fee": "", "diagnosis1": dx.pk})
    assert r.status_code == 302, r.content.decode()
    with account_scope(owner_account):
        service = ClientService.objects.get(client=client_row)
    assert str(service.fee) == "170.00" and service.diagnosis1_id == dx.pk
    page = owner_http.get(url(owner_account, "services", number=number)).content.decode()
    assert "90837" in page and "F41.1" in page
    assert count(ClientPolicy, owner_account) == 1


def test_view_only_reads_but_every_change_is_refused(owner_account, viewer_http, codes, client_row):
    for tab in TABS:
        page = viewer_http.get(url(owner_account, tab, number=client_row.number))
        assert page.status_code == 200
        assert url(owner_account, "edit", number=client_row.number) not in page.content.decode()
    assert viewer_http.get(url(owner_account, "list")).status_code == 200
    for name in ("edit", "discharge", "readmit", "diagnosis-add", "policy-add", "service-add"):
        assert viewer_http.get(url(owner_account, name, number=client_row.number)).status_code == 403
        assert viewer_http.post(url(owner_account, name, number=client_row.number), client_data()).status_code == 403
    assert viewer_http.post(url(owner_account, "add"), client_data()).status_code == 403
    assert count(Client, owner_account) == 1


def test_no_access_is_not_in_the_menu_and_gets_403(owner_account, blocked, client_row):
    http = login_client(blocked)
    home = http.get(f"/a/{owner_account.slug}/").content.decode()
    assert url(owner_account, "list") not in home
    assert http.get(url(owner_account, "list")).status_code == 403
    assert http.get(url(owner_account, "detail", number=client_row.number)).status_code == 403


def test_another_accounts_client_is_404(owner_account, other_account, owner_http):
    theirs = make_client(other_account, other_account.owner)
    for tab in TABS:
        assert owner_http.get(url(owner_account, tab, number=theirs.number)).status_code == 404


def test_every_tab_logs_a_phi_read_naming_the_client(owner_account, owner, owner_http, client_row):
    for tab in TABS:
        mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        assert owner_http.get(url(owner_account, tab, number=client_row.number)).status_code == 200
        events = list(AuditEvent.objects.filter(id__gt=mark))
        assert [(e.action, e.target_type, e.target_id, e.section, e.actor_id) for e in events] == [
            ("phi.view", "client", str(client_row.pk), "clients", owner.pk)]


def test_access_history_lists_views_and_changes_of_this_client_only_newest_first(
        owner_account, owner, viewer, owner_http, viewer_http, client_row):
    other = make_client(owner_account, owner, first_name="Other")
    owner_http.get(url(owner_account, "detail", number=other.number))
    assert owner_http.post(url(owner_account, "edit", number=client_row.number),
                           client_data(city="Salem", version="1")).status_code == 302
    for _ in range(55):
        viewer_http.get(url(owner_account, "diagnoses", number=client_row.number))
    from practicegate.clients import selectors

    with account_scope(owner_account):
        first = selectors.access_history(owner_account, client_row)
        older = selectors.access_history(owner_account, client_row, before=first.before)
    events = first.rows + older.rows
    assert all(e.target_type == "client" and e.target_id == str(client_row.pk) for e in events)
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)
    assert len(first.rows) == 50 and first.before is not None
    actions = [(e.action, e.actor_username) for e in events]
    assert ("client.update", "sunrise") in actions and ("client.add", "sunrise") in actions
    assert actions[0] == ("phi.view", "viewer")
    page = viewer_http.get(url(owner_account, "access-history", number=client_row.number), {"before": first.before})
    assert page.status_code == 200 and "Changed a client" in page.content.decode()
    assert "City" in page.content.decode() and "Salem" not in page.content.decode()  # the field, not its value


def test_switching_accounts_from_a_client_page_opens_the_other_accounts_client_list(
        owner_account, other_account, owner, owner_http, client_row):
    add_member(other_account, owner)
    response = owner_http.get("/switch/", {"to": other_account.slug,
                                           "from": url(owner_account, "detail", number=client_row.number)})
    assert response.status_code == 302 and response["Location"] == url(other_account, "list")


def test_access_history_names_pages_and_fields_as_the_pages_do(owner_account, owner_http, client_row, codes):
    """QA: the tab read 'diagnosis_form', 'edit' and 'last_name, zip_code' (the log's keys)."""
    edit = url(owner_account, "edit", number=client_row.number)
    assert owner_http.get(edit).status_code == 200
    assert owner_http.post(edit, client_data(last_name="Lima", zip_code="97202", version="1")).status_code == 302
    assert owner_http.get(url(owner_account, "diagnosis-add", number=client_row.number)).status_code == 200
    page = owner_http.get(url(owner_account, "access-history", number=client_row.number)).content.decode()
    table = page[page.index('id="access-history"'):]
    assert "Edit Demographics" in table and "a diagnosis form" in table and "<td>Last name, ZIP</td>" in table
    assert "diagnosis_form" not in table and "last_name" not in table and "zip_code" not in table


def test_the_client_page_offers_discharge_or_readmit_only_when_it_applies(owner_http, owner_account, owner):
    client = make_client(owner_account, owner)
    discharge = url(owner_account, "discharge", number=client.number).encode()
    readmit = url(owner_account, "readmit", number=client.number).encode()
    page = owner_http.get(url(owner_account, "detail", number=client.number))
    assert page.status_code == 200 and discharge in page.content and readmit not in page.content
    done = owner_http.post(url(owner_account, "discharge", number=client.number),
                           {"discharge_date": "2025-01-02", "version": client.version})
    assert done.status_code == 302
    with account_scope(owner_account):
        client.refresh_from_db()
    assert client.status == "discharged"
    page = owner_http.get(url(owner_account, "detail", number=client.number))
    assert page.status_code == 200 and readmit in page.content and discharge not in page.content


def test_the_discharge_and_readmit_pages_offer_their_button_only_when_it_applies(owner_http, owner_account, owner):
    client = make_client(owner_account, owner)
    readmit = owner_http.get(url(owner_account, "readmit", number=client.number))
    assert readmit.status_code == 200 and b"This client is already active." in readmit.content
    assert b">Re-admit</button>" not in readmit.content and b'name="intake_date"' not in readmit.content
    assert url(owner_account, "discharge", number=client.number).encode() in readmit.content
    discharge = owner_http.get(url(owner_account, "discharge", number=client.number))
    assert discharge.status_code == 200 and b">Discharge</button>" in discharge.content
    assert b"already" not in discharge.content
    owner_http.post(url(owner_account, "discharge", number=client.number),
                    {"discharge_date": "2025-01-02", "version": client.version})
    again = owner_http.get(url(owner_account, "discharge", number=client.number))
    assert again.status_code == 200 and b"This client is already discharged." in again.content
    assert b">Discharge</button>" not in again.content and b'name="discharge_date"' not in again.content
    readmit = owner_http.get(url(owner_account, "readmit", number=client.number))
    assert readmit.status_code == 200 and b">Re-admit</button>" in readmit.content
