"""Every Clients route walked with real rows, at each level (the project-wide walks use ids
that do not exist, so they see 404s here; this walk reaches the pages themselves)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import resolve

from practicegate.audit.models import AuditEvent
from practicegate.clients import services
from practicegate.core.decorators import SAFE_METHODS, needed_level
from practicegate.core.scoping import account_scope
from practicegate.core.sections import Level
from tests.audit.test_completeness import METHODS, call, last_id, snapshot
from tests.clients.conftest import make_client
from tests.conftest import login_client
from tests.walk import PARAM, account_routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(owner_account, owner, codes):
    client = make_client(owner_account, owner)
    with account_scope(owner_account):
        dx = services.client_diagnosis_add(actor=owner, account=owner_account, client=client, code=codes["dx"],
                                           is_primary=True, start_date=date(2024, 1, 1))
        policy = services.client_policy_add(actor=owner, account=owner_account, client=client,
                                            payer=codes["payer"],
                                            data={"priority": 1, "member_id": "M1", "effective_date": date(2024, 1, 1)})
        service = services.client_service_add(actor=owner, account=owner_account, client=client,
                                              billing_code=codes["billing"],
                                              data={"service_date": date(2024, 1, 2), "diagnosis1": dx})
    return {"client": client, "diagnoses": dx, "insurance": policy, "services": service}


def client_urls(account, record) -> list[str]:
    urls = []
    for route, _, _ in account_routes():
        if "/clients/" not in route:
            continue
        tab = next((t for t in ("diagnoses", "insurance", "services") if f"/{t}/<int:line_pk>/" in route), None)

        def fill(m, tab=tab):
            return {"account": account.slug, "pk": str(record["client"].pk),
                    "line_pk": str(record[tab].pk) if tab else ""}[m["name"]]

        urls.append("/" + PARAM.sub(fill, route))
    return urls


def test_the_walk_reaches_every_clients_route(owner_account, record):
    urls = client_urls(owner_account, record)
    assert len(urls) >= 20 and all("987654" not in u for u in urls)


def test_full_access_every_request_is_logged_or_changes_nothing(owner_account, owner, record):
    http, gaps = login_client(owner), []
    for url in client_urls(owner_account, record):
        for method in METHODS:
            mark, before = last_id(), snapshot()
            response = call(http, method, url)
            events = list(AuditEvent.objects.filter(id__gt=mark, account=owner_account))
            if response.status_code >= 400:
                if snapshot() != before:
                    gaps.append(f"{method} {url}: {response.status_code} but changed data")
            elif method in SAFE_METHODS:
                # Every page shows PHI except the empty forms of a new client and of an import
                # (the import preview without a token is that empty form).
                expected = "page.view" if url.endswith(("/clients/add/", "/clients/import/",
                                                        "/clients/import/preview/")) else "phi.view"
                if response.status_code != 200 or not any(e.action == expected for e in events):
                    gaps.append(f"{method} {url}: {response.status_code} without a phi.view")
            elif not any(e.action.startswith("client.") for e in events):
                gaps.append(f"{method} {url}: a change without its client.* event")
    assert gaps == []


def test_view_only_reads_every_page_and_is_refused_every_change(owner_account, viewer, record):
    http, gaps = login_client(viewer), []
    for url in client_urls(owner_account, record):
        view = resolve(url).func
        for method in ("GET", "POST"):
            before = snapshot()
            status = call(http, method, url).status_code
            expected = 200 if needed_level(view, method) <= Level.VIEW else 403
            if status != expected:
                gaps.append(f"{method} {url}: {status}, expected {expected}")
            if snapshot() != before:
                gaps.append(f"{method} {url}: changed data")
    assert gaps == []
