"""The client page costs the same number of queries with 1 line or 200 of each kind."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practicegate.clients.models import ClientDiagnosis, ClientPolicy, ClientService
from practicegate.core.scoping import account_scope
from tests.clients.helpers import make_client, url

pytestmark = pytest.mark.django_db

TABS = ("detail", "diagnoses", "insurance", "services", "access-history")


def fill(account, client, codes, n: int) -> None:
    """n diagnoses, policies and services (bulk: the page's cost is measured, not the adds)."""
    start = date(2000, 1, 1)
    with account_scope(account):
        dxs = ClientDiagnosis.objects.bulk_create(
            ClientDiagnosis(account=account, client=client, code=codes["dx" if i % 2 else "dx2"],
                            start_date=start + timedelta(days=i), voided=i % 7 == 0,
                            # one open line per code at a time (the last two: one of each code)
                            end_date=None if i >= n - 2 else start + timedelta(days=i)) for i in range(n))
        ClientPolicy.objects.bulk_create(
            ClientPolicy(account=account, client=client, payer=codes["payer"], member_id=f"M{i}",
                         priority=1 + i % 3, effective_date=start + timedelta(days=10 * i),
                         end_date=start + timedelta(days=10 * i + 9)) for i in range(n))
        ClientService.objects.bulk_create(
            ClientService(account=account, client=client, billing_code=codes["billing"], fee="10.00",
                          service_date=start + timedelta(days=i), diagnosis1=dxs[i], diagnosis2=dxs[0],
                          diagnosis3=dxs[-1], diagnosis4=dxs[i // 2]) for i in range(n))


def queries(http, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_every_tab_costs_the_same_with_1_or_200_lines(owner_account, owner, owner_http, codes):
    small, big = make_client(owner_account, owner), make_client(owner_account, owner, first_name="Ann")
    fill(owner_account, small, codes, 1)
    fill(owner_account, big, codes, 200)
    for _ in range(3):  # some history for the Access history tab
        owner_http.get(url(owner_account, "detail", number=big.number))
    for tab in TABS:
        one = queries(owner_http, url(owner_account, tab, number=small.number))
        many = queries(owner_http, url(owner_account, tab, number=big.number))
        assert one == many, (tab, one, many)
    page = owner_http.get(url(owner_account, "services", number=big.number)).content.decode()
    lines = page.split('id="services"', 1)[1].split("</table>", 1)[0]
    assert lines.count("<tr") == 51  # the heading and one page of 50 services


def test_the_list_costs_the_same_for_a_short_and_a_full_page(owner_account, owner, owner_http):
    make_client(owner_account, owner)
    one = queries(owner_http, url(owner_account, "list"))
    for i in range(60):
        make_client(owner_account, owner, last_name="Many" + chr(97 + i % 26) * (1 + i // 26))
    assert queries(owner_http, url(owner_account, "list")) == one
