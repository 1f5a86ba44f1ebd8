"""Keyset pages: one `Page`, one cursor parser, one description of a sort key.

A list is paged by its sort key, never by OFFSET, so page 20,000 costs what page 1 costs.
Links carry a cursor in `?after=` (rows later in key order) or `?before=` (rows earlier).
For a list in ascending order (clients, master files) "after" is the next page; for a
newest-first list (the activity log) "before" is, and the pager template
(core/_pager.html) turns that into Previous/Next links.

Both ways of reading a page, the ORM (`keyset_page`) and hand-written SQL
(`Keyset.sql`, for the master-file lists read from statements written once), build their
condition from the same `Keyset`, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet

PAGE_SIZE = 50
# The largest cursor any link carries: far beyond any id or sequence number, and inside a
# 64-bit integer column, so a query with it never overflows on any database.
MAX_CURSOR = 2**62
# ASCII digits only: int() would also take " 7", "1_000", "+7" and other scripts' digits.
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_cursor(raw: object) -> int | None:
    """The cursor in `raw` (text from a link), or None for anything that is not one.

    Never raises: empty, negative, huge, non-digit text, NUL bytes and non-text all give
    None, and a list reads None as its first page.
    """
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_CURSOR else None


class CursorField(forms.CharField):
    """A cursor in a form that explains a broken page link (the activity log's filters) instead
    of showing the first page: it takes exactly what parse_cursor takes."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        cursor = parse_cursor(value)
        if cursor is not None:
            return cursor
        if re.fullmatch(r"-[0-9]+|0+", value):
            raise forms.ValidationError("Ensure this value is greater than or equal to 1.", code="min_value")
        if value.isascii() and value.isdigit():
            raise forms.ValidationError(f"Ensure this value is less than or equal to {MAX_CURSOR}.",
                                        code="max_value")
        raise forms.ValidationError("Enter a whole number.", code="invalid")


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after or before the row (or key) a link names; neither: the first page."""

    after: int | None = None
    before: int | None = None


FIRST_PAGE = Cursor()


def read_cursor(query) -> Cursor:
    """The cursor of a request's GET parameters (a QueryDict or a plain dict).

    Exactly one of `after` and `before`, given once, with a valid value: anything else
    (both, one given twice, garbage) is the first page.
    """
    given = [name for name in ("after", "before") if query.get(name) not in (None, "")]
    if len(given) != 1:
        return FIRST_PAGE
    name = given[0]
    values = query.getlist(name) if hasattr(query, "getlist") else [query.get(name)]
    value = parse_cursor(values[0]) if len(values) == 1 else None
    return FIRST_PAGE if value is None else Cursor(**{name: value})


class Page:
    """One page of rows and the cursors of the pages beside it.

    `after` is the cursor of the `?after=` link and `before` that of the `?before=` link;
    None when there is no such page. A page read by hand-written SQL can keep the rows as
    the database returned them (`raw`: plain values, which a cached fragment can be keyed
    on) and make its model instances with `build(raw)` only when `rows` is first read.
    """

    __slots__ = ("_rows", "after", "before", "raw", "build")

    def __init__(self, rows: list | None = None, *, after: int | None = None, before: int | None = None,
                 raw: tuple = (), build: Callable[[tuple], list] | None = None):
        self._rows, self.after, self.before, self.raw, self.build = rows, after, before, raw, build

    @property
    def rows(self) -> list:
        if self._rows is None:
            self._rows = self.build(self.raw) if self.build is not None else list(self.raw)
        return self._rows


@dataclass(frozen=True)
class Keyset:
    """A sort key: the fields a list is ordered by, ascending; together unique in the rows paged."""

    fields: tuple[str, ...]

    def _steps(self):
        """The condition "beyond a row", as (fields equal to the row's, field strictly beyond it)
        pairs joined by OR; both renderings below are made from these."""
        for i, name in enumerate(self.fields):
            yield self.fields[:i], name

    def beyond(self, values: Sequence, *, forward: bool = True) -> Q:
        """Rows after (forward) or before the row whose key is `values`, for the ORM."""
        op = "gt" if forward else "lt"
        given = dict(zip(self.fields, values, strict=True))
        q = Q()
        for equal, name in self._steps():
            q |= Q(**{f: given[f] for f in equal}, **{f"{name}__{op}": given[name]})
        if len(self.fields) > 1:
            # A plain bound on the first field beside the OR: with bound parameters SQLite
            # does not derive an index range from the OR alone (it would scan).
            q = Q(**{f"{self.fields[0]}__{op}e": given[self.fields[0]]}) & q
        return q

    def sql(self, columns: Sequence[str], *, forward: bool = True) -> str:
        """The same condition as `beyond` in SQL over `columns` (quoted, one per field), with
        placeholders for `params(values)`: written once per statement, not per call."""
        op = ">" if forward else "<"
        column = dict(zip(self.fields, columns, strict=True))
        where = " OR ".join("(" + " AND ".join([*(f"{column[f]} = %s" for f in equal), f"{column[name]} {op} %s"]) + ")"
                            for equal, name in self._steps())
        if len(self.fields) > 1:
            return f"{column[self.fields[0]]} {op}= %s AND ({where})"
        return where

    def params(self, values: Sequence) -> list:
        """The parameters of `sql` for the row whose key is `values`."""
        given = dict(zip(self.fields, values, strict=True))
        params = [given[self.fields[0]]] if len(self.fields) > 1 else []
        for equal, name in self._steps():
            params += [*(given[f] for f in equal), given[name]]
        return params


def links(rows: list, more: bool, *, came: str, cursor_of: Callable) -> tuple[int | None, int | None]:
    """The (after, before) cursors of a page whose `rows` are in key order.

    `came` says how the page was reached: "after" a cursor (read forward), "before" one
    (read backward), or no cursor: "first" (the start of an ascending list, read forward)
    or "last" (the start of a newest-first list, read backward).
    `more` says a row beyond the page was read, in the direction of reading.
    """
    if not rows:
        return None, None
    forward = came in ("after", "first")
    after = cursor_of(rows[-1]) if (more if forward else came == "before") else None
    before = cursor_of(rows[0]) if (more if not forward else came == "after") else None
    return after, before


def _descending(term):
    return f"-{term}" if isinstance(term, str) else term.desc()


def keyset_page(qs: QuerySet, keyset: Keyset, *, after: Sequence | None = None, before: Sequence | None = None,
                size: int = PAGE_SIZE, newest_first: bool = False, order: Sequence | None = None,
                cursor_of: Callable = lambda row: row.pk, confirm_before: bool = False) -> Page:
    """One page of `qs` in `keyset` order (descending when `newest_first`), after or before
    the key values given (at most one of them; neither: the first page).

    `order` names the ORDER BY terms when they are not the key's fields themselves (the
    same values as an expression); `cursor_of` gives a row's cursor for the links.
    With `confirm_before`, a page read forward shows a `before` link only when a row
    before it exists (one query more), for cursors that need not name a listed row.
    """
    listed = qs
    if after is not None:
        came, forward = "after", True
        qs = qs.filter(keyset.beyond(after))
    elif before is not None:
        came, forward = "before", False
        qs = qs.filter(keyset.beyond(before, forward=False))
    else:
        came, forward = ("last", False) if newest_first else ("first", True)
    terms = tuple(order or keyset.fields)
    rows = list(qs.order_by(*(terms if forward else map(_descending, terms)))[: size + 1])
    more = len(rows) > size
    rows = rows[:size] if forward else rows[:size][::-1]
    after_cursor, before_cursor = links(rows, more, came=came, cursor_of=cursor_of)
    if confirm_before and came == "after" and before_cursor is not None:
        first = [getattr(rows[0], f) for f in keyset.fields]
        if not listed.filter(keyset.beyond(first, forward=False)).exists():
            before_cursor = None
    if newest_first:
        rows.reverse()
    return Page(rows, after=after_cursor, before=before_cursor)



# --- How many rows, and where a page sits among them -----------------------------------------
# A list shows "Clients 51–100 of 3,204". Counting is bounded: at most COUNT_LIMIT + 1 rows are
# counted, so a count costs the same at 100,000 rows as at 10,001 ("of more than 10,000").
COUNT_LIMIT = 10_000


def bounded_count(qs: QuerySet, limit: int = COUNT_LIMIT) -> int:
    """How many rows `qs` has, counting no more than `limit` + 1 (more than `limit`: limit + 1)."""
    return qs.order_by()[: limit + 1].count()


@dataclass(frozen=True)
class Tally:
    """The count of a list (bounded) and the place of one page in it."""

    total: int  # rows of the list, at most limit + 1 (then: "more than limit")
    before: int | None  # rows before the page; None: more than limit
    shown: int
    limit: int = COUNT_LIMIT

    @property
    def capped(self) -> bool:
        return self.total > self.limit

    def cue(self, one: str, many: str) -> str:
        """"Clients 51–100 of 3,204" (`one`/`many`: "Client"/"Clients"); "" for an empty page."""
        if not self.shown:
            return ""
        of = f"more than {self.limit:,}" if self.capped else f"{self.total:,}"
        if self.before is None:
            return f"{many} after the first {self.limit:,} ({self.shown:,} shown) of {of}"
        first, last = self.before + 1, self.before + self.shown
        if first == last:
            return f"{one} {first:,} of {of}"
        return f"{many} {first:,}–{last:,} of {of}"


def tally(listed: QuerySet, keyset: Keyset, page: Page, *, newest_first: bool = False,
          limit: int = COUNT_LIMIT) -> Tally:
    """The Tally of `page`, read by `keyset_page` from `listed` (the list's rows, unpaged).

    Two bounded counts at most: the list's rows, and the rows before the page's first row
    (none when the page has no link to a page before it: it is the first).
    """
    rows = page.rows
    total = bounded_count(listed, limit)
    earlier = page.after if newest_first else page.before
    if not rows or earlier is None:
        return Tally(total, 0, len(rows), limit)
    first = [getattr(rows[0], f) for f in keyset.fields]
    before = bounded_count(listed.filter(keyset.beyond(first, forward=newest_first)), limit)
    return Tally(total, before if before <= limit else None, len(rows), limit)
