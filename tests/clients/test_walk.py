"""Every Clients route walked with real rows, at each level (the project-wide walks use ids
that do not exist, so they see 404s here; this walk reaches the pages themselves)."""

from __future__ import annotations

import pytest
from django.urls import resolve

from practicegate.audit.models import AuditEvent
from practicegate.core.decorators import SAFE_METHODS, needed_level
from practicegate.core.sections import Level
from tests.helpers import login_client
from tests.walk import METHODS, PARAM, account_routes, call, last_id, snapshot

pytestmark = pytest.mark.django_db


def client_urls(account, client_record) -> list[str]:
    urls = []
    for route, _, _ in account_routes():
        if "/clients/" not in route:
            continue
        tab = next((t for t in ("diagnoses", "insurance", "services") if f"/{t}/<int:line_pk>/" in route), None)

        def fill(m, tab=tab):
            return {"account": account.slug, "number": str(client_record["client"].number),
                    "line_pk": str(client_record[tab].pk) if tab else ""}[m["name"]]

        urls.append("/" + PARAM.sub(fill, route))
    return urls


def test_the_walk_reaches_every_clients_route(owner_account, client_record):
    urls = client_urls(owner_account, client_record)
    assert len(urls) >= 20 and all("987654" not in u for u in urls)


def test_full_access_every_request_is_logged_or_changes_nothing(owner_account, owner, client_record):
    http, gaps = login_client(owner), []
    for url in client_urls(owner_account, client_record):
        for method in METHODS:
            mark, before = last_id(), snapshot()
            response = call(http, method, url)
            events = list(AuditEvent.objects.filter(id__gt=mark, account=owner_account))
            if response.status_code >= 400:
                if snapshot() != before:
                    gaps.append(f"{method} {url}: {response.status_code} but changed data")
            elif method in SAFE_METHODS:
                # Every page shows PHI except the empty forms of a new client and of an import
                # (the import preview without a token is that empty form), the lookups of codes and
                # payers (master-file rows), and the access report's picker without a term; the
                # report's PDF is an export of PHI with its own event (client.access_report).
                expected = "page.view" if url.endswith(("/clients/add/", "/clients/import/",
                                                        "/clients/import/preview/",
                                                        "/clients/access-report/")) or "/clients/lookup/" in url \
                    else "phi.view"
                expected = "client.access_report" if url.endswith("/access-report.pdf") else expected
                if response.status_code != 200 or not any(e.action == expected for e in events):
                    gaps.append(f"{method} {url}: {response.status_code} without a phi.view")
            elif not any(e.action.startswith("client.") for e in events):
                gaps.append(f"{method} {url}: a change without its client.* event")
    assert gaps == []


def test_view_only_reads_every_page_and_is_refused_every_change(owner_account, viewer, client_record):
    http, gaps = login_client(viewer), []
    for url in client_urls(owner_account, client_record):
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
