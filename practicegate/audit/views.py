"""Reports → Activity Log, its exports, and My Activity."""

from __future__ import annotations

from datetime import UTC

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from practicegate.audit import exports, readable
from practicegate.audit.durability import wait_until_durable
from practicegate.audit.forms import ActivityFilterForm, CursorForm
from practicegate.audit.phi import Entry, record_phi_read, record_phi_reads
from practicegate.audit.selectors import (
    COUNT_LIMIT,
    account_events,
    account_usernames,
    count_events,
    events_of_user,
    events_page,
)
from practicegate.core.decorators import account_view, signed_in
from practicegate.core.reauth import reauth_required

# What a page that names clients in its events logs (a PHI read): which clients it named.
PHI_TARGET = "activity_log"


def _filter_query(request) -> str:
    """The current filters as a query string, without the page cursor."""
    query = request.GET.copy()
    for key in ("before", "after", "format"):
        query.pop(key, None)
    return query.urlencode()


def _log_client_names(request, named: list) -> None:
    """Log the clients named on this page: in the URL's account, or in each event's account."""
    by_account: dict = {}
    for event in named:
        by_account.setdefault(event.account_id, (event.account if request.account is None else request.account,
                                                  set()))[1].add(event.shown_target.client_id)
    if getattr(request, "account", None) is not None:
        ids = sorted(by_account[request.account.pk][1])
        record_phi_read(request, target_type=PHI_TARGET, detail={"shown": len(ids), "client_ids": ids})
    else:
        record_phi_reads(request, [Entry(account, target_type=PHI_TARGET,
                                         detail={"shown": len(ids), "client_ids": sorted(ids)})
                                   for account, ids in by_account.values()], section="reports")


def _page_context(request, form) -> dict:
    return {"form": form, "filter_query": _filter_query(request), "page": None}


def _count_text(count: int, more: bool) -> str:
    if more:
        return f"More than {COUNT_LIMIT:,} events match"
    return "1 event matches" if count == 1 else f"{count:,} events match"


@account_view("reports")
@require_GET
def activity_log(request, account):
    form = ActivityFilterForm(request.GET, usernames=account_usernames(request.account))
    context = _page_context(request, form)
    if not form.is_valid():
        return render(request, "audit/activity_log.html", context, status=400)
    data = form.cleaned_data
    flt = form.event_filter()
    rows = account_events(request.account, flt)
    context["page"] = events_page(rows, key="seq", before=data.get("before"), after=data.get("after"))
    context["count_text"] = _count_text(*count_events(request.account, flt))
    context["partial"] = flt.usernames
    named = readable.prepare(request, context["page"].rows)  # targets, lines, search terms if Clients allows
    if named:
        _log_client_names(request, named)
    return render(request, "audit/activity_log.html", context)


@account_view("reports")
@require_GET
@reauth_required(methods=["GET"])  # the whole log leaves the building: ask for the password if it is not fresh
def export(request, account, fmt):
    form = ActivityFilterForm(request.GET, usernames=account_usernames(request.account))
    if not form.is_valid():
        return render(request, "audit/activity_log.html", _page_context(request, form), status=400)
    count, rows = exports.audit_export(actor=request.user, account=request.account, flt=form.event_filter(),
                                       fmt=fmt, context=request.audit)
    content_type, extension = exports.FORMATS[fmt]
    response = StreamingHttpResponse(exports.stream(fmt, rows, request.account), content_type=content_type)
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%d-%H%M%SZ")  # UTC, like the times inside
    response["Content-Disposition"] = f'attachment; filename="activity-{request.account.slug}-{stamp}.{extension}"'
    response["X-Event-Count"] = str(count)
    return response


@signed_in
@require_GET
def my_activity(request):
    form = CursorForm(request.GET)
    if not form.is_valid():
        return render(request, "my_activity/index.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data
    page = events_page(events_of_user(request.user), key="id", before=data.get("before"), after=data.get("after"))
    named = readable.prepare(request, page.rows)  # each account judged by the one membership rule
    if named:
        _log_client_names(request, named)
    wait_until_durable()  # show only events on disk (durability.py; the Activity Log's page view waits so)
    return render(request, "my_activity/index.html", {"form": form, "page": page})
