"""The list and its searches are answered by the account's indexes, never a table scan."""

from __future__ import annotations

import pytest
from django.db import connection

from practicegate.clients import selectors
from practicegate.core.scoping import account_scope
from tests.clients.helpers import make_client
from tests.masterfiles.plans import explain

pytestmark = pytest.mark.django_db


def first_page(account, query="", status="active"):
    qs = selectors.client_search(account, selectors.parse_search(query), status)
    return qs.order_by("sort_key", "id")[: selectors.PAGE_SIZE + 1]


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


@pytest.mark.parametrize("query, index", [
    ("3", "client_number_unique"), ("1990-04-17", "client_account_birth"),
    ("(503) 555-0123", "client_account_mobile_phone"),
])
def test_number_birth_date_and_phone_use_their_index(owner_account, some, query, index):
    with account_scope(owner_account):
        plan = explain(first_page(owner_account, query, "all"), force_index=True)
    assert "SCAN clients_client\n" not in plan + "\n" and "Seq Scan" not in plan, plan
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan, plan


def test_name_search_never_scans_the_table(owner_account, some):
    with account_scope(owner_account):
        plan = explain(first_page(owner_account, "lee", "all"), force_index=True)
    assert "Seq Scan" not in plan and "SCAN clients_client\n" not in plan + "\n", plan
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'client_search_trgm'")
            assert "gin_trgm_ops" in cursor.fetchone()[0]
