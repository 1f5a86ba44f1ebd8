"""The list and its searches are answered by the account's indexes, never a table scan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from practicegate.clients import selectors
from practicegate.clients.models import Client
from practicegate.clients.services import _keys
from practicegate.core.scoping import account_scope
from tests.clients.helpers import make_client
from tests.masterfiles.plans import explain

pytestmark = pytest.mark.django_db


def first_page(account, query="", status="active"):
    """The query of the list's first page, in the order client_page asks for."""
    search = selectors.parse_search(query)
    qs = selectors.client_search(account, search, status)
    return qs.order_by(selectors._name_order(search).asc(), "id")[: selectors.PAGE_SIZE + 1]


@pytest.fixture
def some(owner_account, owner):
    for i in range(5):
        make_client(owner_account, owner, last_name="Lee" + "abcde"[i])


@pytest.mark.parametrize("status", ["active", "all"])
def test_the_first_page_reads_an_ordered_index(owner_account, some, status):
    with account_scope(owner_account):
        plan = explain(first_page(owner_account, status=status), force_index=True)
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan
    else:
        assert "Seq Scan" not in plan, plan


PHONE_KEYS = ["client_home_phone_key", "client_mobile_phone_key", "client_work_phone_key"]
# SQLite builds the client-number constraint as its own automatic index.
NUMBER_INDEX = "sqlite_autoindex_clients_client_1" if connection.vendor == "sqlite" else "client_number_unique"
# With a status filter the client list's (account, status, number) index serves a number as well.
ANY_NUMBER_INDEX = (NUMBER_INDEX, "client_account_status_number")
# Likewise a date of birth: (account, birth_date) or, with the status, (account, status, birth_date, id).
ANY_BIRTH_INDEX = ("client_account_status_birth", "client_account_birth_id")


@pytest.fixture
def practice(owner_account, some):
    """An account of 400 clients with the planner's statistics, as a practice's database has them.

    SQLite keeps no statistics until ANALYZE, and without any it takes every account for a
    handful of clients, for which reading the name index is as good as anything."""
    clients = []
    for number in range(100, 500):
        client = Client(account=owner_account, number=number, first_name="Ann", last_name=f"Lee{number}",
                        birth_date=date(1950, 1, 1) + timedelta(days=number * 37), sex="F",
                        mobile_phone=f"+1503555{number:04d}", home_phone=f"+1212555{number:04d}" if number % 2 else "",
                        intake_date=date(2024, 1, 1))
        _keys(client)
        clients.append(client)
    Client.objects.bulk_create(clients)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.mark.parametrize("query, indexes", [
    ("#3", [ANY_NUMBER_INDEX]), ("203", [ANY_NUMBER_INDEX]),
    ("1990-04-17", [ANY_BIRTH_INDEX]), ("04/17/1990", [ANY_BIRTH_INDEX]),
    ("4/17/90", [ANY_BIRTH_INDEX]),
    ("(503) 555-0123", PHONE_KEYS), ("+1 503 555 0123", PHONE_KEYS),  # a whole number
    ("555-0123", PHONE_KEYS),  # its last seven digits
    ("0123", [ANY_NUMBER_INDEX, *PHONE_KEYS]),  # client number 123, or a phone's last four
    ("5550123", [ANY_NUMBER_INDEX, *PHONE_KEYS]),
])
@pytest.mark.parametrize("status", ["active", "all"])
def test_every_search_kind_reads_its_own_indexes(owner_account, practice, query, indexes, status):
    with account_scope(owner_account):
        plan = explain(first_page(owner_account, query, status), force_index=True)
    assert "SCAN clients_client\n" not in plan + "\n" and "Seq Scan" not in plan, plan
    for index in indexes:  # an index, or a tuple of indexes any one of which serves
        assert any(name in plan for name in ((index,) if isinstance(index, str) else index)), plan
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan, plan


@pytest.mark.parametrize("query", ["0123", "(503) 555-0123", "1990-04-17"])
def test_the_next_page_of_a_search_still_reads_its_own_indexes(owner_account, practice, query):
    """The name index would serve the order of a later page; the search's indexes serve it faster."""
    with account_scope(owner_account):
        search = selectors.parse_search(query)
        qs = selectors.client_search(owner_account, search, "all").filter(
            selectors.NAME_ORDER.beyond(("a", 1)))
        plan = explain(qs.order_by(selectors._name_order(search).asc(), "id")[:51], force_index=True)
    assert "client_account_sort" not in plan and "client_account_status_sort" not in plan, plan
    assert "SCAN clients_client\n" not in plan + "\n" and "Seq Scan" not in plan, plan


@pytest.mark.parametrize("query", ["lee", "Leea, Zoë", "Zoë Leea", "zoe leec"])
def test_name_search_never_scans_the_table(owner_account, some, query):
    with account_scope(owner_account):
        plan = explain(first_page(owner_account, query, "all"), force_index=True)
    assert "Seq Scan" not in plan and "SCAN clients_client\n" not in plan + "\n", plan
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'client_search_trgm'")
            assert "gin_trgm_ops" in cursor.fetchone()[0]
