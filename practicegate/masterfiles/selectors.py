"""Reads of the master files. Every query starts from the account."""

from __future__ import annotations

from operator import itemgetter

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from practicegate.core.paging import PAGE_SIZE, Keyset, Page, keyset_page, links
from practicegate.core.prepared import Columns
from practicegate.masterfiles.kinds import PAYER, Kind
from practicegate.masterfiles.matching import matching

_NOT_LISTED = ("account", "created_at", "updated_at", "version")


def masterfiles_of(account, kind: Kind) -> QuerySet:
    return kind.model.objects.filter(account=account)


def masterfile_get(account, kind: Kind, pk) -> object:
    """The row with this id in this account; any other id (another account's too) is 404."""
    row = masterfiles_of(account, kind).filter(pk=pk).first()
    if row is None:
        raise Http404(f"No such {kind.noun}")
    return row


def search(account, kind: Kind, query: str) -> QuerySet:
    """Rows matching a code prefix (when the query looks like a code) or every word."""
    return matching(masterfiles_of(account, kind), kind.matcher, query)


def masterfile_page(account, kind: Kind, *, query: str = "", after: int | None = None,
                    before: int | None = None, size: int = PAGE_SIZE) -> Page:
    """One page in code (or name) order, keyset-paged from the row id given as the cursor.

    The cursor row is looked up in the account, so another account's id is ignored.
    """
    if not query.strip() and not before:
        # The pages a user opens all day (the list, then Next): statements written once.
        cursor = _cursor(account, kind, after) if after else None
        columns, raw = _listed_rows(account, kind, size + 1, after=cursor)
        pk = columns.attnames.index("id")
        next_after, prev_before = links(raw[:size], len(raw) > size, came="after" if cursor else "first",
                                        cursor_of=itemgetter(pk))
        return Page(after=next_after, before=prev_before, raw=tuple(raw[:size]), build=columns.instances)
    # The list shows none of these: not converting two datetimes and the version per row
    # is a tenth of the page's time.
    qs = search(account, kind, query).defer(*_NOT_LISTED)
    cursor_id = after or before
    cursor = (masterfiles_of(account, kind).filter(pk=cursor_id).values_list(*kind.order).first()
              if cursor_id else None)
    forward = before is None or cursor is None
    return keyset_page(qs, Keyset(kind.order), after=cursor if forward else None, before=None if forward else cursor, size=size)


def _columns(kind: Kind) -> tuple[str, list[str]]:
    meta = kind.model._meta
    quote = connection.ops.quote_name
    return quote(meta.get_field("account").column), [quote(meta.get_field(f).column) for f in kind.order]


def _cursor(account, kind: Kind, pk) -> tuple | None:
    """The order values of row `pk` of this account (None for any other id: it is ignored)."""
    if not -(2**63) <= pk < 2**63:  # no such row (and out of any integer column's range)
        return None
    account_column, order = _columns(kind)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(order)} FROM {kind.model._meta.db_table}"
                       f" WHERE {account_column} = %s AND id = %s", [account.pk, pk])
        return cursor.fetchone()


# {(kind key, database vendor): (columns read, sort key, statement of a first page, of a page after a cursor)}
_LISTED: dict[tuple[str, str], tuple[Columns, Keyset, str, str]] = {}


def _listed_statements(kind: Kind) -> tuple[Columns, Keyset, str, str]:
    """The list's two statements, written once: the page after a cursor takes its condition
    from the same Keyset as the ORM's (Keyset.sql renders what Keyset.beyond does)."""
    found = _LISTED.get((kind.key, connection.vendor))
    if found is None:
        columns = Columns(kind.model, "t", leave_out=_NOT_LISTED)
        account_column, order = _columns(kind)
        select = f"SELECT {columns.sql} FROM {kind.model._meta.db_table} t WHERE t.{account_column} = %s"
        order_by = f" ORDER BY {', '.join(f't.{c}' for c in order)} LIMIT %s"
        keyset = Keyset(kind.order)
        beyond = keyset.sql([f"t.{c}" for c in order])
        found = _LISTED[kind.key, connection.vendor] = (columns, keyset, select + order_by,
                                                         f"{select} AND ({beyond}){order_by}")
    return found


def _listed_rows(account, kind: Kind, limit: int, *, after: tuple | None = None) -> tuple[Columns, list]:
    """A list page in order, after the cursor's values when given: what the ORM query above
    reads, from statements written once (core.prepared), because these are the pages a user
    opens all day. Returns the columns read and the rows as the database returned them
    (columns.instances makes the models)."""
    columns, keyset, first, beyond = _listed_statements(kind)
    with connection.cursor() as cursor:
        if after is None:
            cursor.execute(first, [account.pk, limit])
        else:
            cursor.execute(beyond, [account.pk, *keyset.params(after), limit])
        return columns, cursor.fetchall()


def existing_keys(account, kind: Kind) -> set[str]:
    """The natural keys already in the account (codes, or non-blank payer IDs)."""
    return set(masterfiles_of(account, kind).exclude(**{kind.natural_key: ""})
               .values_list(kind.natural_key, flat=True))


def payer_names(account) -> set[str]:
    return {n.casefold() for n in masterfiles_of(account, PAYER).values_list("name", flat=True)}
