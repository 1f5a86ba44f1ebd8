"""The client list: its orders (keyset-paged each way), its bounded count and the place of a page,
the age column, the last service date the services keep; and the Services tab's pages and totals."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from practicegate.clients import selectors, services
from practicegate.clients.models import NO_SERVICE, Client, ClientDiagnosis, ClientService
from practicegate.core.paging import Keyset, Tally, keyset_page, tally
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import DiagnosisCode
from tests.clients.helpers import make_client, url

pytestmark = pytest.mark.django_db

# (last name, date of birth): numbers are given in this order, so no two orders agree.
PEOPLE = [("Moss", "1980-05-01"), ("Adler", "1990-01-01"), ("Zeller", "1950-07-07"), ("Kim", "2001-03-03"),
          ("Baker", "1975-12-12"), ("Young", "1990-01-01"), ("Ortiz", "1966-06-06")]


def _people(account, owner) -> list[Client]:
    return [make_client(account, owner, last_name=last, first_name="Pat", birth_date=born) for last, born in PEOPLE]


def _serve(account, owner, client, billing, day: date, **data) -> ClientService:
    """A service of `client`, pointing to the client's diagnosis (one is added the first time)."""
    with account_scope(account):
        if "diagnosis1" not in data:
            dx = ClientDiagnosis.objects.filter(account=account, client=client).first()
            data["diagnosis1"] = dx or services.client_diagnosis_add(
                actor=owner, account=account, client=client, is_primary=True, start_date=date(2020, 1, 1),
                code=DiagnosisCode.objects.filter(account=account).order_by("id").first())
        return services.client_service_add(actor=owner, account=account, client=client, billing_code=billing,
                                           data={"service_date": day, **data})


def _walk(account, sort: str, descending: bool, size: int = 3) -> tuple[list[int], list[int]]:
    """Every client number, page by page forward (Next), then back again (Previous) from the last page."""
    with account_scope(account):
        listing = selectors.client_listing(account, status="all", sort=sort, descending=descending, size=size)
        pages = [listing]
        nxt = (lambda p: p.before) if descending else (lambda p: p.after)
        prv = (lambda p: p.after) if descending else (lambda p: p.before)
        while nxt(pages[-1].page) is not None:
            cursor = nxt(pages[-1].page)
            pages.append(selectors.client_listing(account, status="all", sort=sort, descending=descending, size=size,
                                                  **({"before": cursor} if descending else {"after": cursor})))
        forward = [c.number for p in pages for c in p.page.rows]
        back, page = [], pages[-1].page
        back = [c.number for c in page.rows]
        while prv(page) is not None:
            cursor = prv(page)
            page = selectors.client_listing(account, status="all", sort=sort, descending=descending, size=size,
                                            **({"after": cursor} if descending else {"before": cursor})).page
            back = [c.number for c in page.rows] + back
    return forward, back


@pytest.mark.parametrize("sort", ["name", "number", "birth_date", "last_service"])
@pytest.mark.parametrize("descending", [False, True])
def test_each_order_pages_every_client_once_both_ways(owner_account, owner, codes, sort, descending):
    clients = _people(owner_account, owner)
    for i, client in enumerate(clients[:4]):  # three clients without a service
        _serve(owner_account, owner, client, codes["billing"], date(2024, 1, 1) + timedelta(days=(i * 37) % 50))
    with account_scope(owner_account):
        stored = list(Client.objects.filter(account=owner_account))
    key = {"name": lambda c: (c.sort_key, c.pk), "number": lambda c: (c.number,),
           "birth_date": lambda c: (c.birth_date, c.pk), "last_service": lambda c: (c.last_service_date, c.pk)}[sort]
    expected = [c.number for c in sorted(stored, key=key, reverse=descending)]
    forward, back = _walk(owner_account, sort, descending)
    assert forward == expected
    assert back == expected


def test_the_place_of_each_page_and_the_total(owner_account, owner):
    _people(owner_account, owner)
    with account_scope(owner_account):
        first = selectors.client_listing(owner_account, status="all", sort="number", size=3)
        assert first.tally.cue("Client", "Clients") == "Clients 1–3 of 7"
        second = selectors.client_listing(owner_account, status="all", sort="number", size=3, after=first.page.after)
        assert second.tally.cue("Client", "Clients") == "Clients 4–6 of 7"
        third = selectors.client_listing(owner_account, status="all", sort="number", size=3, after=second.page.after)
        assert third.tally.cue("Client", "Clients") == "Client 7 of 7"
        back = selectors.client_listing(owner_account, status="all", sort="number", size=3, descending=True,
                                        after=7)  # descending: "after" is the page before, larger numbers
        assert back.page.rows == [] and back.tally.cue("Client", "Clients") == ""
        found = selectors.client_listing(owner_account, status="all", query="Zeller")
        assert found.tally.cue("Client", "Clients") == "Client 1 of 1"


def test_counting_is_bounded(owner_account, owner):
    clients = _people(owner_account, owner)
    keyset = Keyset(("number",))
    with account_scope(owner_account):
        qs = Client.objects.filter(account=owner_account)
        page = keyset_page(qs, keyset, size=2, cursor_of=lambda c: c.number)
        assert tally(qs, keyset, page, limit=5).cue("Client", "Clients") == "Clients 1–2 of more than 5"
        late = keyset_page(qs, keyset, after=(clients[-2].number,), size=2, cursor_of=lambda c: c.number)
        assert tally(qs, keyset, late, limit=6).cue("Client", "Clients") == "Client 7 of more than 6"
        with CaptureQueriesContext(connection) as ctx:
            tally(qs, keyset, late, limit=3)
        assert all("LIMIT 4" in q["sql"] for q in ctx.captured_queries) and len(ctx.captured_queries) == 2
        assert tally(qs, keyset, late, limit=3).cue("Client", "Clients") == (
            "Clients after the first 3 (1 shown) of more than 3")
    assert Tally(3204, 50, 50).cue("Client", "Clients") == "Clients 51–100 of 3,204"


def test_another_accounts_number_as_a_cursor_names_this_accounts_client(owner_account, owner, other_account):
    _people(owner_account, owner)
    with account_scope(other_account):
        theirs = make_client(other_account, other_account.owner, last_name="Aaron")
    with account_scope(owner_account):
        listing = selectors.client_listing(owner_account, status="all", sort="name", after=theirs.number)
    # Their #1 is our #1 ("Moss"): the page starts after our Moss, never at their Aaron.
    assert [c.last_name for c in listing.page.rows] == ["Ortiz", "Young", "Zeller"]


def test_the_last_service_date_follows_the_services(owner_account, owner, codes):
    client = make_client(owner_account, owner)
    assert client.last_service_date == NO_SERVICE and not client.has_service

    def stored():
        with account_scope(owner_account):
            return Client.objects.get(pk=client.pk).last_service_date

    late = _serve(owner_account, owner, client, codes["billing"], date(2024, 3, 1))
    early = _serve(owner_account, owner, client, codes["billing"], date(2024, 1, 1))
    assert stored() == date(2024, 3, 1)
    with account_scope(owner_account):
        services.client_service_void(actor=owner, account=owner_account, client=client, line=late, reason="Typo",
                                     expected_version=late.version)
        assert stored() == date(2024, 1, 1)
        services.client_service_update(actor=owner, account=owner_account, client=client, line=early,
                                       data={"service_date": date(2024, 2, 2), "units": 1, "fee": Decimal("10")},
                                       expected_version=early.version)
        assert stored() == date(2024, 2, 2)
        early.refresh_from_db()
        services.client_service_void(actor=owner, account=owner_account, client=client, line=early, reason="Typo",
                                     expected_version=early.version)
    assert stored() == NO_SERVICE


def test_the_migration_fills_the_last_service_date(owner_account, owner, codes):
    served, idle = make_client(owner_account, owner), make_client(owner_account, owner, first_name="Idle")
    _serve(owner_account, owner, served, codes["billing"], date(2023, 5, 5))
    line = _serve(owner_account, owner, served, codes["billing"], date(2023, 9, 9))
    ClientService._base_manager.filter(pk=line.pk).update(voided=True)
    Client._base_manager.update(last_service_date=NO_SERVICE)
    module = importlib.import_module("practicegate.clients.migrations.0007_client_list_orders")
    state = MigrationExecutor(connection).loader.project_state(("clients", "0007_client_list_orders"))
    module.fill_last_service(state.apps, None)
    assert Client._base_manager.get(pk=served.pk).last_service_date == date(2023, 5, 5)
    assert Client._base_manager.get(pk=idle.pk).last_service_date == NO_SERVICE


# --- The page ------------------------------------------------------------------------------

def test_the_list_page_shows_the_count_age_sort_headings_and_a_visible_hint(owner_account, owner, owner_http, codes):
    today = date.today()
    ten = make_client(owner_account, owner, last_name="Tenner",
                      birth_date=date(today.year - 10, 1, 1).isoformat())
    _serve(owner_account, owner, ten, codes["billing"], date(2024, 6, 30))
    make_client(owner_account, owner, last_name="Older", birth_date="1950-02-03")
    html = owner_http.get(url(owner_account, "list")).content.decode()
    assert '<caption id="client-count">Clients 1–2 of 2</caption>' in html
    assert "<td>10</td>" in html and "06/30/2024" in html
    assert "placeholder" not in html and "Search by name, client number, date of birth or phone." in html
    assert 'aria-sort="ascending"><a href="?status=active&amp;sort=name&amp;dir=desc"' in html
    assert 'href="?status=active&amp;sort=last_service&amp;dir=desc"' in html  # most recent first on a first click
    by_number = owner_http.get(url(owner_account, "list"), {"sort": "number", "dir": "desc"}).content.decode()
    assert by_number.index("Older") < by_number.index("Tenner")
    assert 'aria-sort="descending"' in by_number and 'name="sort" value="number"' in by_number


def test_a_bad_sort_or_direction_is_the_name_order(owner_account, owner, owner_http):
    _people(owner_account, owner)
    for params in ({"sort": "pk"}, {"sort": "\x00"}, {"sort": ["number", "name"]}, {"dir": "sideways"}):
        response = owner_http.get(url(owner_account, "list"), params)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("Adler") < html.index("Baker") < html.index("Zeller")


def test_the_pager_keeps_the_search_status_and_order(owner_account, owner, owner_http):
    for i in range(55):
        make_client(owner_account, owner, last_name="Many" + chr(97 + i % 26) * (1 + i // 26))
    html = owner_http.get(url(owner_account, "list"), {"q": "many", "status": "all", "sort": "birth_date"}).content.decode()
    assert "Clients 1–50 of 55" in html
    with account_scope(owner_account):
        after = selectors.client_listing(owner_account, query="many", status="all", sort="birth_date").page.after
    assert f'href="?q=many&amp;status=all&amp;sort=birth_date&amp;after={after}" rel="next">Next »</a>' in html
    second = owner_http.get(url(owner_account, "list"), {"q": "many", "status": "all", "sort": "birth_date",
                                                          "after": after}).content.decode()
    assert "Clients 51–55 of 55" in second and 'rel="prev">« Previous</a>' in second


def _queries(http, path, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(path, params).status_code == 200
    return len(ctx.captured_queries)


def test_each_order_costs_the_same_queries_whatever_the_clients(owner_account, owner, owner_http, codes):
    make_client(owner_account, owner)
    orders = [{"sort": s, **({"dir": "desc"} if d else {})}
              for s in selectors.SORTS for d in (False, True)]
    few = {str(o): _queries(owner_http, url(owner_account, "list"), o) for o in orders}
    for i in range(70):
        c = make_client(owner_account, owner, last_name="Many" + chr(97 + i % 26) * (1 + i // 26))
        if i % 3 == 0:
            _serve(owner_account, owner, c, codes["billing"], date(2024, 1, 1) + timedelta(days=i))
    many = {str(o): _queries(owner_http, url(owner_account, "list"), o) for o in orders}
    assert many == few and len(set(few.values())) == 1
    later = set()
    for o in orders:
        with account_scope(owner_account):
            page = selectors.client_listing(owner_account, sort=o["sort"], descending="dir" in o).page
        cursor = {"before": page.before} if "dir" in o else {"after": page.after}
        later.add(_queries(owner_http, url(owner_account, "list"), {**o, **cursor}))
    # A later page: the cursor's row and the rows before the page, two queries more, the same for each order.
    assert later == {next(iter(few.values())) + 2}


# --- The Services tab ------------------------------------------------------------------------

def test_the_services_tab_is_paged_newest_first_with_totals_by_month(owner_account, owner, owner_http, codes):
    client = make_client(owner_account, owner)
    lines = [_serve(owner_account, owner, client, codes["billing"], date(2024, 1, 1) + timedelta(days=i), units=2,
                    fee=Decimal("10.50")) for i in range(60)]
    with account_scope(owner_account):
        services.client_service_void(actor=owner, account=owner_account, client=client, line=lines[0],
                                     reason="Entered twice", expected_version=lines[0].version)
    first = owner_http.get(url(owner_account, "services", number=client.number)).content.decode()
    table = first.split('id="services"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr") == 51 and table.index("02/29/2024") < table.index("02/28/2024")
    assert "01/10/2024" not in table  # the 51st newest is on the next page
    with account_scope(owner_account):
        page = selectors.services_page(owner_account, client)
    assert f'href="?before={page.before}" rel="next">Older →</a>' in first
    older = owner_http.get(url(owner_account, "services", number=client.number), {"before": page.before})
    rest = older.content.decode().split('id="services"', 1)[1].split("</table>", 1)[0]
    assert rest.count("<tr") == 11 and "01/01/2024" in rest and "Voided" in rest
    totals = first.split('id="service-totals"', 1)[1].split("</table>", 1)[0]
    # January: 31 services, one voided (30 counted); February: 29.
    assert "<td>January 2024</td><td>30</td><td>60</td><td>315.00</td>" in totals
    assert "<td>February 2024</td><td>29</td><td>58</td><td>304.50</td>" in totals
    assert "<td>59</td><td>118</td><td>619.50</td>" in totals
    assert totals.index("February 2024") < totals.index("January 2024")


def test_a_services_cursor_of_another_client_is_the_first_page(owner_account, owner, owner_http, codes):
    mine, other = make_client(owner_account, owner), make_client(owner_account, owner, first_name="Other")
    _serve(owner_account, owner, mine, codes["billing"], date(2024, 1, 1))
    theirs = _serve(owner_account, owner, other, codes["billing"], date(2024, 5, 1))
    with account_scope(owner_account):
        page = selectors.services_page(owner_account, mine, before=theirs.pk)
    assert [line.service_date for line in page.rows] == [date(2024, 1, 1)]


@pytest.mark.parametrize("sort", ["name", "number", "birth_date", "last_service"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("status", ["active", "all"])
def test_each_order_reads_an_ordered_index(owner_account, owner, sort, descending, status):
    from practicegate.clients.services import _keys
    from tests.masterfiles.plans import explain

    _people(owner_account, owner)
    # A practice's worth of clients and the planner's statistics of them, so the plan does not
    # follow whatever statistics an earlier test left behind (PostgreSQL keeps them after a rollback).
    rows = []
    for number in range(1000, 1400):
        client = Client(account=owner_account, number=number, first_name="Ann", last_name=f"Lee{number}",
                        birth_date=date(1950, 1, 1) + timedelta(days=number * 37 % 20_000), sex="F",
                        intake_date=date(2024, 1, 1), status="active" if number % 4 else "discharged",
                        discharge_date=None if number % 4 else date(2024, 6, 1),
                        last_service_date=date(2024, 1, 1) + timedelta(days=number % 300))
        _keys(client)
        rows.append(client)
    Client.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    fields = selectors.SORTS[sort].keyset.fields
    with account_scope(owner_account):
        qs = selectors.client_search(owner_account, selectors.parse_search(""), status)
        qs = qs.order_by(*(f"-{f}" if descending else f for f in fields))[: selectors.PAGE_SIZE + 1]
        plan = explain(qs, force_index=True)
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan
    else:
        assert "Seq Scan" not in plan and "Sort" not in plan, plan
