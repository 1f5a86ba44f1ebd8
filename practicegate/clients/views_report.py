"""Who accessed a client: pick a client, see its access report, download it as a PDF.

The pages are the Clients section's (View Only may see them; No Access is refused by the
access rule before any name is read); the PDF is an export (Full Access, as Export to
CSV). Showing a client's name is a read of PHI and is logged as the client pages log it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from practicegate.audit.phi import record_phi_read
from practicegate.audit.selectors import events_page
from practicegate.clients import forms, selectors
from practicegate.clients.access_report import (
    ReportRangeForm,
    access_report_export,
    client_events,
    describe,
    describe_list,
    lists_showing,
)
from practicegate.clients.models import SearchKind
from practicegate.clients.searchlog import keep_terms, search_terms_digest
from practicegate.clients.views import by_number
from practicegate.core.decorators import account_view
from practicegate.core.paging import read_cursor
from practicegate.core.sections import Level

SECTION = "clients"
PICK_SIZE = 20  # clients offered by one search of the picker
LISTS_SHOWN = 100  # lists that showed the client, on the page (the PDF has them all)


def _may_export(request) -> bool:
    return request.levels.get(SECTION, Level.NONE) >= Level.FULL


@account_view(SECTION)
@require_GET
def access_report_pick(request, account):
    """Search clients by name, number, date of birth or phone; each result links to its report."""
    search = forms.ClientSearchForm(request.GET)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    rows = []
    if query:
        parsed = selectors.parse_search(query)
        rows = list(selectors.client_search(request.account, parsed, "all")
                    .order_by("sort_key", "id")[:PICK_SIZE + 1])
        more, rows = len(rows) > PICK_SIZE, rows[:PICK_SIZE]
        detail = {"shown": len(rows), "status": "all", "client_ids": [c.pk for c in rows],
                  "page": "access_report_pick", "search": parsed.kind, "words": parsed.words,
                  "terms_hmac": search_terms_digest(query)}
        with transaction.atomic():  # like the Clients list: the event and the terms it vouches for
            event = record_phi_read(request, target_type="client_list", detail=detail)
            keep_terms([event], query, kind=SearchKind.LIST)
    else:
        more = False
    return render(request, "clients/access_report_pick.html",
                  {"search": search, "query": query, "rows": rows, "more": more},
                  status=400 if search.errors else 200)


def _dates_query(start, end) -> str:
    return urlencode({"date_from": start.isoformat(), "date_to": end.isoformat()})


@account_view(SECTION)
@require_GET
@by_number
def access_report(request, account, client):
    form = ReportRangeForm(request.GET, client=client)
    context = {"client": client, "tab": "access_history", "form": form, "page": None,
               "may_export": _may_export(request), "zone": timezone.get_current_timezone_name()}
    if not form.is_valid():
        record_phi_read(request, target_type="client", target_id=client.pk, detail={"tab": "access_report"})
        return render(request, "clients/access_report.html", context, status=400)
    start, end = form.dates()
    cursor = read_cursor(request.GET)
    page = events_page(client_events(request.account, client, start=start, end=end), key="seq",
                       before=cursor.before, after=cursor.after)
    record_phi_read(request, target_type="client", target_id=client.pk,
                    detail={"tab": "access_report", "date_from": start.isoformat(), "date_to": end.isoformat()})
    # The form shows the dates the report covers, also when they were left empty (the default).
    context["form"] = ReportRangeForm(None, client=client, initial={"date_from": start, "date_to": end})
    lists = lists_showing(request.account, client, start=start, end=end)
    context.update(lists=[(e, describe_list(e)) for e in lists[:LISTS_SHOWN]], lists_count=len(lists),
                   lists_more=len(lists) > LISTS_SHOWN)
    context.update(page=page, rows=[(e, describe(e)) for e in page.rows], start=start, end=end,
                   dates_query=_dates_query(start, end))
    return render(request, "clients/access_report.html", context)


@account_view(SECTION, level=Level.FULL)
@require_GET
@by_number
def access_report_pdf(request, account, client):
    """The report as a PDF: an export of PHI, so Full Access on Clients (as Export to CSV), and logged."""
    form = ReportRangeForm(request.GET, client=client)
    if not form.is_valid():
        record_phi_read(request, target_type="client", target_id=client.pk, detail={"tab": "access_report"})
        return render(request, "clients/access_report.html",
                      {"client": client, "tab": "access_history", "form": form, "page": None,
                       "may_export": True, "zone": timezone.get_current_timezone_name()}, status=400)
    start, end = form.dates()
    report, pdf = access_report_export(actor=request.user, account=request.account, client=client,
                                       start=start, end=end, context=request.audit)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{request.account.slug}-client-{client.number}-access-{start.isoformat()}-to-{end.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Event-Count"] = str(len(report.rows))
    return response
