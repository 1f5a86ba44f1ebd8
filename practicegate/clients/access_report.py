"""A client's access report: every view and change of one client in a date range.

What it lists are the events whose target is the client: every page that showed the
client's record (`phi.view`), every change of its demographics and of its diagnosis,
insurance and service lines (their events name the client; clients.history), refusals and
stopped saves, and the access reports made of it. The page is itself a read of the client's
record; the PDF is an export of it (Full Access, as Export to CSV) and states whether the
account's activity log verified intact when it was made (audit.verify.verify_account).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.db import connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from practicegate.audit.forms import FilterDateField
from practicegate.audit.selectors import EventFilter, account_events
from practicegate.audit.services import record
from practicegate.audit.verify import LogCheck, verify_account
from practicegate.clients.templatetags.clients_tags import field_names, line_name, page_name

SECTION = "clients"
DEFAULT_DAYS = 90
ACTION = "client.access_report"  # registered in clients/actions.py
OUTCOMES = {"denied": "refused", "failure": "not saved"}


class ReportRangeForm(forms.Form):
    """The report's dates, both inclusive, in the account's time zone; empty: the default range."""

    date_from = FilterDateField(required=False, label="From")
    date_to = FilterDateField(required=False, label="To (inclusive)")

    def __init__(self, data, *, client, **kwargs):
        super().__init__(data, **kwargs)
        self.client = client

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The “From” date is after the “To” date: put the earlier date first.")
        return data

    def dates(self) -> tuple[date, date]:
        """(first day, last day): by default the last 90 days, or since the client was added."""
        data = self.cleaned_data
        today = timezone.localdate()
        end = data.get("date_to") or today
        start = data.get("date_from")
        if start is None:
            added = timezone.localdate(self.client.created_at)
            start = min(max(end - timedelta(days=DEFAULT_DAYS - 1), added), end)
        return start, end


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def client_events(account, client, *, start: date, end: date) -> QuerySet:
    """The account's events naming this client from the start of `start` to the end of `end`."""
    flt = EventFilter(target_type="client", target_id=str(client.pk), since=_moment(start),
                      until=_moment(end + timedelta(days=1)))
    return account_events(account, flt)


# Pages that show many clients at once log one event naming the clients shown (`client_ids`);
# an export of the client list logs one naming how many rows it held (clients/imports.py).
LIST_TARGETS = ("client_list", "client_search_all", "client_export")
SEARCH_KINDS = {"name": "by name", "number": "by client number", "birth_date": "by date of birth",
                "phone": "by phone"}
EXPORT_STATUSES = {"active": "active clients", "discharged": "discharged clients", "all": "all clients"}


def lists_showing(account, client, *, start: date, end: date) -> list:
    """The account's events, newest first, of lists and searches that showed this client in the
    dates, and of exports of the client list (which may hold it)."""
    flt = EventFilter(since=_moment(start), until=_moment(end + timedelta(days=1)))
    qs = account_events(account, flt).exclude(target_type="").filter(target_type__in=LIST_TARGETS)
    return list(qs.filter(Q(target_type="client_export") | _shows(client.pk)).order_by("-seq"))


def _shows(client_id: int) -> Q:
    """The event's `client_ids` hold this id: tested by the database (jsonb containment on
    PostgreSQL, json_each on SQLite), so only the events that showed the client come back."""
    if connection.vendor == "postgresql":
        return Q(detail__client_ids__contains=[client_id])
    shown = RawSQL("EXISTS (SELECT 1 FROM json_each(detail, '$.client_ids') WHERE value = %s)", [client_id],
                   output_field=BooleanField())
    return Q(shown)


def describe_list(event) -> str:
    detail = event.detail or {}
    if event.target_type == "client_export":
        which = EXPORT_STATUSES.get(detail.get("status"), "clients")
        return f"Exported the client list to CSV ({which}, {detail.get('rows', '?')} rows)"
    where = ("Find a client in all my accounts" if event.target_type == "client_search_all"
             else "Who accessed a client" if detail.get("page") == "access_report_pick" else "the Clients list")
    search = SEARCH_KINDS.get(detail.get("search"), "")
    return f"Shown in {where}" + (f", searched {search}" if search else "")


def describe(event) -> str:
    """What was done, in words: the action's label, then the page, line and fields it names."""
    detail = event.detail or {}
    parts = []
    if detail.get("tab"):
        parts.append(page_name(detail["tab"]))
    if detail.get("line"):
        parts.append(f"{line_name(detail['line'])} line {detail.get('line_id', '')}".strip())
    what = event.label
    if event.outcome in OUTCOMES:
        what += f" ({OUTCOMES[event.outcome]})"
    if parts:
        what += ": " + ", ".join(parts)
    if detail.get("fields"):
        what += f" ({field_names(detail['fields'])})"
    return what


@dataclass(frozen=True)
class Row:
    seq: int
    at: datetime  # in the current time zone
    username: str
    ip: str
    what: str


def rows_of(events, what=describe) -> list[Row]:
    return [Row(e.seq, timezone.localtime(e.at), e.actor_username or "(none)", e.ip or "(not recorded)",
                what(e)) for e in events]


@dataclass(frozen=True)
class Report:
    """Everything the PDF shows (report_pdf.render draws it)."""

    account_name: str
    client_name: str
    client_number: int
    start: date
    end: date
    zone: str
    rows: list[Row]
    lists: list[Row]  # lists, searches and exports that showed the client
    made_at: datetime
    made_by: str
    event_seq: int
    check: LogCheck


def access_report_export(*, actor, account, client, start: date, end: date, context=None) -> tuple[Report, bytes]:
    """Make the PDF of this client's access report and log it (the client as target, the counts).

    The account's whole chain is re-computed first; the PDF says whether it was intact.
    The event and the PDF come together: if drawing fails, nothing is logged.
    """
    from practicegate.clients.report_pdf import render  # reportlab loads only when a PDF is made

    check = verify_account(account)
    events = list(client_events(account, client, start=start, end=end).order_by("seq"))
    lists = lists_showing(account, client, start=start, end=end)[::-1]
    with transaction.atomic():
        event = record(ACTION, account=account, actor=actor, context=context, section=SECTION,
                       target_type="client", target_id=client.pk,
                       detail={"format": "pdf", "events": len(events), "lists": len(lists),
                               "date_from": start.isoformat(),
                               "date_to": end.isoformat(), "log_intact": check.intact,
                               "verified_through": check.through_seq})
        report = Report(account_name=account.name, client_name=client.full_name, client_number=client.number,
                        start=start, end=end, zone=timezone.get_current_timezone_name(), rows=rows_of(events),
                        lists=rows_of(lists, describe_list),
                        made_at=timezone.localtime(event.at), made_by=event.actor_username,
                        event_seq=event.seq, check=check)
        return report, render(report)
