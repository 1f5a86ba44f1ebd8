"""core.paging: the cursor parser takes anything a link can carry, and every section pages alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from practicegate.audit.selectors import EventFilter, account_events, events_page
from practicegate.audit.services import record
from practicegate.clients import selectors as clients
from practicegate.core.paging import (
    FIRST_PAGE,
    MAX_CURSOR,
    Cursor,
    CursorField,
    Keyset,
    parse_cursor,
    read_cursor,
)
from practicegate.core.scoping import account_scope
from practicegate.masterfiles import selectors as masterfiles
from practicegate.masterfiles.kinds import PAYER
from practicegate.masterfiles.models import InsurancePayer
from tests.clients.helpers import make_client
from tests.masterfiles.helpers import add_payer

# --- The cursor parser -------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    None, "", "0", "-1", "-0", "+7", " 7", "7 ", "7\n", "\x007", "7\x00", "1_000", "7.0", "1e3", "0x10",
    "٧", "７", "abc", "7,8", "7;8", str(MAX_CURSOR + 1), "9" * 20, "9" * 4000, 7, ["7"], b"7",
])
def test_garbage_is_no_cursor(raw):
    assert parse_cursor(raw) is None


@pytest.mark.parametrize("raw, value", [("1", 1), ("007", 7), ("4611686018427387904", MAX_CURSOR)])
def test_plain_digits_are_a_cursor(raw, value):
    assert parse_cursor(raw) == value


@given(st.text())
def test_any_text_parses_to_none_or_a_cursor_in_range(raw):
    value = parse_cursor(raw)
    assert value is None or (1 <= value <= MAX_CURSOR and str(value) == raw.lstrip("0"))


@given(st.text().filter(lambda s: not s.isascii() or not s.isdigit()))
def test_text_that_is_not_ascii_digits_is_the_first_page(raw):
    assert parse_cursor(raw) is None
    assert read_cursor({"after": raw}) == FIRST_PAGE and read_cursor({"before": raw}) == FIRST_PAGE


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["after", "before", "q", "status", "after\x00", ""]), st.text())))
def test_any_query_string_reads_as_one_cursor_or_the_first_page(pairs):
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    cursor = read_cursor(query)
    assert isinstance(cursor, Cursor)
    assert cursor == FIRST_PAGE or (cursor.after is None) != (cursor.before is None)


@given(st.text())
def test_the_form_field_takes_what_the_parser_takes_and_explains_the_rest(raw):
    """The activity log explains a broken link, but reads the same cursors as every list."""
    try:
        value = CursorField().clean(raw)
    except ValidationError as error:
        assert raw and parse_cursor(raw) is None and error.messages
    else:
        assert value == (parse_cursor(raw) if raw else None)


@pytest.mark.parametrize("query, cursor", [
    ("after=5", Cursor(after=5)), ("before=5", Cursor(before=5)), ("q=x&after=5&status=all", Cursor(after=5)),
    ("after=&before=5", Cursor(before=5)),
    ("after=5&before=6", FIRST_PAGE),  # both: which one was meant?
    ("after=5&after=6", FIRST_PAGE),  # one given twice
    ("after=5%006", FIRST_PAGE), ("after=-5", FIRST_PAGE), ("after=" + "9" * 30, FIRST_PAGE), ("", FIRST_PAGE),
])
def test_read_cursor(query, cursor):
    assert read_cursor(QueryDict(query)) == cursor


@pytest.mark.django_db
def test_the_same_garbage_gives_the_first_page_of_every_list(owner_client, owner_account, owner):
    """Clients and master files answer a broken cursor with their first page, keeping the search."""
    for i in range(3):
        make_client(owner_account, owner, first_name=f"Ann{'abc'[i]}", last_name="Same")
    add_payer(owner_account, "Same Health", "SH001")
    lists = {"clients:list": "Same", "masterfiles:payer-list": "Same Health"}
    for name, shown in lists.items():
        path = reverse(name, kwargs={"account": owner_account.slug})
        for raw in ("\x00", "-1", "9" * 40, "abc", "1_0"):
            response = owner_client.get(path, {"q": "same", "after": raw})
            assert response.status_code == 200
            assert shown.encode() in response.content and b'value="same"' in response.content


# --- One condition, two renderings ---------------------------------------------------------


@pytest.mark.django_db
def test_the_sql_condition_selects_what_the_orm_condition_selects(owner_account):
    """Keyset.sql (masterfiles' hand-written list) and Keyset.beyond (the ORM) from one description."""
    names = ["Alpha", "Beta", "Beta", "Beta", "Gamma"]
    for i, name in enumerate(names):
        add_payer(owner_account, name, f"P{i:04d}")
    keyset = Keyset(("name", "id"))
    table, quote = InsurancePayer._meta.db_table, connection.ops.quote_name
    with account_scope(owner_account):
        rows = list(InsurancePayer.objects.filter(account=owner_account).order_by("name", "id")
                    .values_list("name", "id"))
        for values in rows:
            for forward in (True, False):
                orm = list(InsurancePayer.objects.filter(account=owner_account)
                           .filter(keyset.beyond(values, forward=forward)).order_by("id").values_list("id", flat=True))
                where = keyset.sql([quote("name"), quote("id")], forward=forward)
                params = keyset.params(values)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT id FROM {table} WHERE account_id = %s AND ({where}) ORDER BY id",
                                   [owner_account.pk, *params])
                    raw = [r[0] for r in cursor.fetchall()]
                expected = [pk for v, pk in rows if ((v, pk) > values if forward else (v, pk) < values)]
                assert orm == raw == sorted(expected)


# --- Every section pages alike ---------------------------------------------------------------


def _walk(fetch, *, newest_first: bool):
    """Follow Next to the end, then Previous back; return the pages both ways (row ids)."""
    nxt, prev = ("before", "after") if newest_first else ("after", "before")
    forward, page = [], fetch()
    assert getattr(page, prev) is None  # the first page has no Previous
    while True:
        forward.append([r.pk for r in page.rows])
        if getattr(page, nxt) is None:
            break
        page = fetch(**{nxt: getattr(page, nxt)})
    backward = [forward[-1]]
    while getattr(page, prev) is not None:
        page = fetch(**{prev: getattr(page, prev)})
        backward.append([r.pk for r in page.rows])
    return forward, backward[::-1]


def _check(forward, backward, expected):
    seen = [pk for rows in forward for pk in rows]
    assert seen == expected  # in order, none twice, none skipped
    assert backward == forward  # Previous gives back the very same pages
    assert all(len(rows) == 3 for rows in forward[:-1]) and len(forward) > 2


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "same"])
def test_clients_page_across_equal_names(owner_account, owner, query):
    for i in range(10):  # one sort key for all of them: only the id tells them apart (ten people: ten birth dates)
        make_client(owner_account, owner, first_name="Ann", last_name="Same", birth_date=f"1990-04-{10 + i}")
    make_client(owner_account, owner, first_name="Bo", last_name="Aardvark")
    with account_scope(owner_account):
        expected = list(clients.clients_of(owner_account).order_by("sort_key", "id").values_list("pk", flat=True))
        forward, backward = _walk(lambda **c: clients.client_page(owner_account, query=query, status="all",
                                                                  size=3, **c), newest_first=False)
    _check(forward, backward, expected[1:] if query else expected)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "health"])  # the hand-written list, and the ORM's search
def test_master_files_page_across_equal_names(owner_account, query):
    for i in range(10):
        add_payer(owner_account, "Same Health", f"S{i:04d}")
    add_payer(owner_account, "Another Health", "A0001")
    with account_scope(owner_account):
        expected = list(masterfiles.masterfiles_of(owner_account, PAYER).order_by("name", "id")
                        .values_list("pk", flat=True))
        forward, backward = _walk(lambda **c: masterfiles.masterfile_page(owner_account, PAYER, query=query,
                                                                          size=3, **c), newest_first=False)
    _check(forward, backward, expected)


@pytest.mark.django_db
def test_the_activity_log_pages_alike_newest_first(owner_account):
    for i in range(10):
        record("page.view", account=owner_account, actor_username="walker", detail={"i": i})
    qs = account_events(owner_account, EventFilter(username="walker"))
    expected = list(qs.order_by("-seq").values_list("pk", flat=True))
    forward, backward = _walk(lambda **c: events_page(qs, key="seq", size=3, **c), newest_first=True)
    _check(forward, backward, expected)
