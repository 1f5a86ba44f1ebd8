"""record(): one statement per event on PostgreSQL (three on SQLite) hashing exactly as the
chain defines it, a non-decreasing time, and date ranges that follow from it. (On its own,
PostgreSQL sends a second, the durability barrier: tests/audit/test_durability.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from practicegate.audit import chain as chainlib
from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.selectors import EventFilter, account_events
from practicegate.audit.services import record
from practicegate.audit.verify import verify_all
from tests.audit.helpers import append, bare_account, chain_of

pytestmark = pytest.mark.django_db


ON_POSTGRESQL = connection.vendor == "postgresql"
TRICKY_DETAIL = {
    "at": "2030-01-01T00:00:00.000000+00:00", "seq": 7, "unicode": "Zoë 名前 \u2028 🦷",
    "quotes": 'say "hi"', "backslash": "C:\\path\\", "control": "a\tb\nc\x01\x1f\x7f",
    "nested": {"z": [1, {"at": None, "seq": "x"}], "a": {"b": {"c": True}}}, "empty": {}, "list": [],
    "number": -1.5,
}


def test_an_event_costs_one_statement_on_postgresql_and_three_on_sqlite_inside_the_callers_transaction():
    account = bare_account()
    append(account, 1)  # the chain row exists from the first event on
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        record("page.view", account=account, section="reports")
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    if ON_POSTGRESQL:
        assert statements == ["WITH"], queries.captured_queries
        assert "FOR UPDATE" in queries.captured_queries[0]["sql"].upper()
    else:
        assert statements == ["UPDATE", "INSERT", "UPDATE"], queries.captured_queries
        assert "RETURNING" in queries.captured_queries[0]["sql"].upper()


@pytest.mark.postgresql("SQLite appends in a transaction of its own")
@pytest.mark.django_db(transaction=True)
def test_on_its_own_the_statement_runs_in_autocommit_and_is_committed_when_record_returns():
    """The append in autocommit, then the durability barrier in autocommit (its own commit,
    see tests/audit/test_durability.py for what it waits for)."""
    import threading

    from practicegate.audit.durability import BARRIER

    account = bare_account()
    append(account, 1)
    seen = []

    def note(execute, sql, params, many, context):
        seen.append((sql.split()[0].upper() if sql != BARRIER else "BARRIER",
                     connection.get_autocommit(), connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        event = record("page.view", account=account)
    assert seen == [("WITH", True, False), ("BARRIER", True, False)]
    found = []

    def look():  # another connection sees the event: it is committed
        try:
            found.append(AuditEvent.objects.filter(pk=event.pk).exists())
        finally:
            connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert found == [True]


def test_inside_the_callers_transaction_the_event_rolls_back_with_it():
    account = bare_account()
    append(account, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record("page.view", account=account)
        raise RuntimeError("the change failed")
    assert (chain_of(account).seq, AuditEvent.objects.filter(account=account).count()) == (1, 1)
    assert record("page.view", account=account).seq == 2
    assert verify_all(account=account)[1] == []


def _fields(at=datetime(2031, 2, 3, 4, 5, 6, 789, tzinfo=UTC), **changes) -> dict:
    fields = chainlib.event_fields(
        seq=12345, account_id=3, at=at, actor_id=None,
        actor_username='o\'brien "x"', channel="web", action="page.view", section="reports",
        target_type="clients.client", target_id="42", outcome="success", ip="2001:db8::1",
        user_agent="Mozilla/5.0 \\ é", request_id="r-1", detail=TRICKY_DETAIL)
    fields.update(changes)
    return fields


@pytest.mark.parametrize("changes", [
    {},
    {"at": datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)},  # microsecond 0
    {"account": None, "actor": 9, "seq": 1},
    {"detail": {}, "actor_username": "", "section": "", "target_type": "", "target_id": "",
     "ip": "", "user_agent": "", "request_id": ""},
    {"actor_username": "\u0000\u001f\\\"", "user_agent": "\U0001f600" * 3},
])
def test_the_pieces_around_at_and_seq_make_the_canonical_bytes(changes):
    fields = _fields(**changes)
    p1, p2, p3 = chainlib.canonical_around_at_and_seq(fields)
    middle = fields["at"].encode() + p2 + str(fields["seq"]).encode()
    assert p1 + middle + p3 == chainlib.canonical(fields)


json_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10)
json_value = st.recursive(st.none() | st.booleans() | st.integers(-(2**53), 2**53) | json_text,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
                          max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(detail=st.dictionaries(json_text, json_value, max_size=5), username=json_text, agent=json_text,
       seq=st.integers(1, 2**62), microsecond=st.integers(0, 999_999))
def test_the_pieces_make_the_canonical_bytes_for_any_values(detail, username, agent, seq, microsecond):
    fields = _fields(at=datetime(2031, 2, 3, 4, 5, 6, microsecond, tzinfo=UTC), seq=seq, detail=detail,
                     actor_username=username, user_agent=agent)
    p1, p2, p3 = chainlib.canonical_around_at_and_seq(fields)
    assert p1 + fields["at"].encode() + p2 + str(seq).encode() + p3 == chainlib.canonical(fields)


def test_events_with_tricky_values_hash_as_the_chain_defines_and_verify():
    account = bare_account()
    append(account, 1)
    # The head's time wins over the clock: an `at` with microsecond 0, chosen by the append.
    whole_second = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    AuditChain.objects.filter(account=account).update(head_at=whole_second)
    events = [
        record("page.view", account=account, detail=TRICKY_DETAIL, actor_username='o\'brien "\\x"\t',
               target_type="clients.client", target_id="é\n42", section="reports"),
        record("page.view", account=account, detail={"at": {"seq": {"at": []}}}),
        record("auth.login_failed", account=None, actor_username="名前\x01"),
    ]
    assert events[0].at == whole_second
    for event in events:
        stored = AuditEvent.objects.get(pk=event.pk)
        assert (stored.seq, stored.at, stored.prev_hash, stored.hash) == (
            event.seq, event.at, event.prev_hash, event.hash)
        assert stored.hash == chainlib.link(stored.prev_hash, chainlib.canonical(chainlib.fields_of(stored)))
    assert events[1].prev_hash == events[0].hash and chain_of(account).head_hash == events[1].hash
    assert verify_all()[1] == []


def test_the_first_event_creates_the_chain_and_the_system_chain_works_the_same():
    account = bare_account()
    assert not AuditChain.objects.filter(account=account).exists()
    first = record("page.view", account=account)
    second = record("page.view", account=account)
    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert chain_of(account).head_hash == second.hash and chain_of(account).head_at == second.at
    system = [record("auth.login_failed", account=None, actor_username=f"nobody{i}") for i in range(2)]
    assert system[1].seq == system[0].seq + 1 and system[1].prev_hash == system[0].hash
    assert verify_all()[1] == []


def test_an_event_is_never_stamped_before_the_previous_one():
    """A clock stepped back must not make the chain's time go backwards (date ranges rely on it)."""
    account = bare_account()
    append(account, 1)
    ahead = datetime.now(UTC) + timedelta(hours=1)
    AuditChain.objects.filter(account=account).update(head_at=ahead)
    event = record("page.view", account=account)
    event.refresh_from_db()
    assert event.at == ahead
    assert verify_all(account=account)[1] == []


def test_a_date_range_is_the_same_as_filtering_on_the_time():
    account = bare_account()
    append(account, 30)
    events = list(AuditEvent.objects.filter(account=account).order_by("seq"))
    lo, hi = events[7].at, events[21].at
    cases = [(lo, hi), (lo, None), (None, hi), (events[-1].at + timedelta(seconds=1), None),
             (None, events[0].at), (events[0].at - timedelta(days=1), events[-1].at + timedelta(days=1))]
    for since, until in cases:
        expected = [e.seq for e in events if (since is None or e.at >= since) and (until is None or e.at < until)]
        got = list(account_events(account, EventFilter(since=since, until=until))
                   .order_by("seq").values_list("seq", flat=True))
        assert got == expected, (since, until)
    other = bare_account()
    append(other, 3)
    assert not account_events(other, EventFilter(since=lo, until=hi)).filter(seq__gt=3).exists()
