"""Reads of the activity log. Account pages always start from the account's events."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter

from django.db.models import QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Upper

from practicegate.audit.models import AuditEvent
from practicegate.core.paging import PAGE_SIZE, Keyset, Page, keyset_page


@dataclass(frozen=True)
class EventFilter:
    """What the Activity Log is narrowed to; empty values do not filter."""

    username: str = ""
    action: str = ""
    section: str = ""
    outcome: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    target_type: str = ""
    target_id: str = ""

    def used(self) -> list[str]:
        """Names of the filters in use (what an export event records: names, not values)."""
        return [f.name for f in fields(self) if getattr(self, f.name) not in ("", None)]


def account_events(account, flt: EventFilter = EventFilter()) -> QuerySet:
    qs = AuditEvent.objects.filter(account=account)
    if flt.username:
        # Same expression as the audit_account_uname index, on both sides, so the
        # database's own upper-casing decides (SQLite folds ASCII only).
        qs = qs.alias(uname=Upper("actor_username")).filter(uname=Upper(Value(flt.username)))
    for name in ("action", "section", "outcome", "target_type", "target_id"):
        value = getattr(flt, name)
        if value:
            qs = qs.filter(**{name: value})
    qs = _with_target_conditions(qs, flt.target_type, flt.target_id)
    # A date range becomes a seq range (`at` never decreases along a chain), so it is
    # served by the same index as the rest of the filter instead of a scan of (account, at).
    if flt.since is not None:
        qs = qs.filter(seq__gte=_first_seq_at(account, flt.since))
    if flt.until is not None:
        qs = qs.filter(seq__lt=Coalesce(_first_seq_at(account, flt.until), Value(2**62)))
    return qs


def _with_target_conditions(qs: QuerySet, target_type: str, target_id: str) -> QuerySet:
    """Repeat the target indexes' own condition (not '': events that have a target) next to a
    target filter. It changes no result (the filter's value is not empty), but SQLite uses a
    partial index only when the query names its condition (models.AuditEvent.Meta.indexes)."""
    if target_type:
        qs = qs.exclude(target_type="")
    if target_id:
        qs = qs.exclude(target_id="")
    return qs


def _first_seq_at(account, moment: datetime) -> Subquery:
    """The seq of the account's first event at or after `moment` (NULL when there is none)."""
    first = AuditEvent.objects.filter(account=account, at__gte=moment).order_by("at", "seq")
    return Subquery(first.values("seq")[:1])


def events_page(qs: QuerySet, *, key: str, before: int | None = None, after: int | None = None,
                size: int = PAGE_SIZE) -> Page:
    """Newest first by `key` (seq in one account, id across accounts); the cursors are key values."""
    return keyset_page(qs, Keyset((key,)), after=None if after is None else (after,),
                       before=None if before is None else (before,), size=size, newest_first=True,
                       cursor_of=attrgetter(key), confirm_before=True)


def events_of_user(user) -> QuerySet:
    """A username's own events in every account (and the system chain)."""
    return AuditEvent.objects.filter(actor=user).select_related("account")

