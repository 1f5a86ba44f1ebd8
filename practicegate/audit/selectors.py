"""Reads of the activity log. Account pages always start from the account's events."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from operator import attrgetter

from django.db import connection
from django.db.models import Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Upper

from practicegate.audit.models import AuditEvent
from practicegate.core.paging import PAGE_SIZE, Keyset, Page, keyset_page


@dataclass(frozen=True)
class EventFilter:
    """What the Activity Log is narrowed to; empty values do not filter."""

    username: str = ""
    usernames: tuple[str, ...] = ()  # a partial username: every username it matched
    action: str = ""
    section: str = ""
    outcome: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    target_type: str = ""
    target_id: str = ""
    page_views: bool = True  # False: leave out "Opened a page" (unless the action asks for it)

    def used(self) -> list[str]:
        """Names of the filters in use (what an export event records: names, not values)."""
        return [f.name for f in fields(self)
                if (not self.page_views if f.name == "page_views" else getattr(self, f.name) not in ("", None, ()))]


PAGE_VIEW = "page.view"
COUNT_LIMIT = 1_000  # the page counts matches up to this, then says "more than"
USERNAMES_LIMIT = 1_000  # the Username filter offers at most this many names


def account_events(account, flt: EventFilter = EventFilter()) -> QuerySet:
    qs = AuditEvent.objects.filter(account=account)
    if flt.username:
        # Same expression as the audit_account_uname index, on both sides, so the
        # database's own upper-casing decides (SQLite folds ASCII only).
        qs = qs.alias(uname=Upper("actor_username")).filter(uname=Upper(Value(flt.username)))
    elif flt.usernames:
        either = Q()
        for name in flt.usernames:
            either |= Q(uname=Upper(Value(name)))
        qs = qs.alias(uname=Upper("actor_username")).filter(either)
    if not flt.page_views and flt.action != PAGE_VIEW:
        qs = qs.exclude(action=PAGE_VIEW)
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


def count_events(account, flt: EventFilter = EventFilter(), *, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """(matches, whether there are more than `limit`): counts that stop at limit + 1 rows, each read
    in an index's order, so the count costs the same at a thousand events and a million."""
    if _only_page_views_left_out(flt):
        # "Every event but page views": two ranges of audit_account_action (the actions before
        # and after "page.view"), each read in order and cut at the limit; `<>` would read the
        # newest events one by one, skipping page views, or the whole table.
        rest = replace(flt, page_views=True)
        found = sum(_bounded(account_events(account, rest).filter(**{f"action__{op}": PAGE_VIEW}),
                             ("action", "-seq"), limit) for op in ("lt", "gt"))
    else:
        found = _bounded(account_events(account, flt), ("-seq",), limit)
    return min(found, limit), found > limit


def _only_page_views_left_out(flt: EventFilter) -> bool:
    """True when leaving out page views is the only filter (a date range is read by seq instead)."""
    return not flt.page_views and flt.used() == ["page_views"]


def _bounded(qs: QuerySet, order: tuple[str, ...], limit: int) -> int:
    return qs.order_by(*order).values("seq")[: limit + 1].count()


def account_usernames(account, *, limit: int = USERNAMES_LIMIT) -> list[str]:
    """The usernames that appear in the account's log (past ones too), by name, as last written.

    A loose index scan of audit_account_uname: one seek per username, however many events
    each has (a DISTINCT would read every event of the account).
    """
    table = AuditEvent._meta.db_table
    sql = f"""
        WITH RECURSIVE names(k) AS (
            SELECT (SELECT min(upper(actor_username)) FROM {table} WHERE account_id = %s)
            UNION ALL
            SELECT (SELECT min(upper(actor_username)) FROM {table} WHERE account_id = %s
                    AND upper(actor_username) > names.k)
            FROM names WHERE names.k IS NOT NULL
        )
        SELECT (SELECT actor_username FROM {table} WHERE account_id = %s AND upper(actor_username) = names.k
                ORDER BY seq DESC LIMIT 1)
        FROM names WHERE names.k IS NOT NULL AND names.k <> '' LIMIT %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [account.pk, account.pk, account.pk, limit])
        return sorted({row[0] for row in cursor.fetchall() if row[0]}, key=str.casefold)


def events_page(qs: QuerySet, *, key: str, before: int | None = None, after: int | None = None,
                size: int = PAGE_SIZE) -> Page:
    """Newest first by `key` (seq in one account, id across accounts); the cursors are key values."""
    return keyset_page(qs, Keyset((key,)), after=None if after is None else (after,),
                       before=None if before is None else (before,), size=size, newest_first=True,
                       cursor_of=attrgetter(key), confirm_before=True)


def events_of_user(user) -> QuerySet:
    """A username's own events in every account (and the system chain)."""
    return AuditEvent.objects.filter(actor=user).select_related("account")

