"""Reports → Activity Log, its exports, and My Activity."""

from __future__ import annotations

from datetime import UTC

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from practicegate.audit import exports
from practicegate.audit.actions import ACTIONS
from practicegate.audit.durability import wait_until_durable
from practicegate.audit.forms import ActivityFilterForm, CursorForm
from practicegate.audit.lines import add_lines
from practicegate.audit.selectors import account_events, events_of_user, events_page
from practicegate.core.decorators import account_view, signed_in
from practicegate.core.reauth import reauth_required


def _filter_query(request) -> str:
    """The current filters as a query string, without the page cursor."""
    query = request.GET.copy()
    for key in ("before", "after", "format"):
        query.pop(key, None)
    return query.urlencode()


@account_view("reports")
@require_GET
def activity_log(request, account):
    form = ActivityFilterForm(request.GET)
    context = {"form": form, "filter_query": _filter_query(request), "actions": ACTIONS, "page": None}
    if not form.is_valid():
        return render(request, "audit/activity_log.html", context, status=400)
    data = form.cleaned_data
    rows = account_events(request.account, form.event_filter())
    context["page"] = events_page(rows, key="seq", before=data.get("before"), after=data.get("after"))
    add_lines(request, request.account, context["page"].rows)  # e.g. search terms, if Clients allows
    return render(request, "audit/activity_log.html", context)


@account_view("reports")
@require_GET
@reauth_required(methods=["GET"])  # the whole log leaves the building: ask for the password if it is not fresh
def export(request, account, fmt):
    form = ActivityFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "filter_query": _filter_query(request), "actions": ACTIONS, "page": None}
        return render(request, "audit/activity_log.html", context, status=400)
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
        return render(request, "my_activity/index.html", {"form": form, "page": None, "actions": ACTIONS},
                      status=400)
    data = form.cleaned_data
    page = events_page(events_of_user(request.user), key="id", before=data.get("before"), after=data.get("after"))
    wait_until_durable()  # show only events on disk (durability.py; the Activity Log's page view waits so)
    return render(request, "my_activity/index.html", {"form": form, "page": page, "actions": ACTIONS})
