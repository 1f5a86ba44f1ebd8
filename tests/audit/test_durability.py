"""Every event is on disk before record() returns, and before anything shows, ships, exports
or signs it (practicegate/audit/durability.py).

On PostgreSQL record() on its own commits its statement without waiting for the WAL flush
(so the chain's lock is not held through it) and then waits for the flush with a second,
synchronous commit. These tests read the server's WAL positions: `event.wal_lsn` is the
position just after the event's row, and pg_current_wal_flush_lsn() how far the WAL is on
disk. Events "visible but not yet on disk" are made by running record() with its barrier
statement dropped, which is exactly the window the other functions must close; the WAL
writer flushes such commits within wal_writer_delay (200 ms), so a check made right after
them sees them unflushed (checks repeat over several events where it matters).
"""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practicegate.audit import durability, exports, keys, shipping
from practicegate.audit.checkpoints import sign_head
from practicegate.audit.models import AuditEvent
from practicegate.audit.selectors import EventFilter
from practicegate.audit.services import record
from practicegate.audit.verify import verify_all
from tests.audit.helpers import append, bare_account, chain_of
from tests.helpers import add_member, login_client
from tests.threads import run_at_once

ON_POSTGRESQL = connection.vendor == "postgresql"
postgresql_only = pytest.mark.postgresql("SQLite has no asynchronous commit")
TABLE = AuditEvent._meta.db_table


def flushed(lsn: str, on=None) -> bool:
    """Is the WAL on disk up to `lsn`? (asked on `on`, default the test's connection)"""
    with (on or connection).cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", [lsn])
        return cursor.fetchone()[0]


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _drop_barrier(execute, sql, params, many, context):
    if sql == durability.BARRIER:
        return None
    return execute(sql, params, many, context)


def visible_not_yet_durable(account, n: int = 5) -> list[AuditEvent]:
    """Append n events in autocommit without record()'s wait: committed (others see them)
    but left for the WAL writer to flush."""
    with connection.execute_wrapper(_drop_barrier):
        return [record("page.view", account=account, detail={"unflushed": i}) for i in range(n)]


class Observer:
    """A second connection, to ask about the WAL while the test's own is busy."""

    def __enter__(self):
        self.other = connections.create_connection("default")
        return self

    def __exit__(self, *exc):
        self.other.close()

    def flushed(self, lsn: str) -> bool:
        return flushed(lsn, on=self.other)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_on_its_own_record_returns_only_once_its_event_is_on_disk():
    account = bare_account()  # no chain yet: the first event also takes the create-and-retry path
    for i in range(20):
        event = record("page.view", account=account, detail={"i": i})
        assert flushed(event.wal_lsn), f"event {event.seq} was not on disk when record() returned"
    assert synchronous_commit() == "on"  # the statement's setting ended with its transaction
    assert [e.seq for e in AuditEvent.objects.filter(account=account).order_by("seq")] == list(range(1, 21))
    assert verify_all(account=account)[1] == []


@pytest.mark.slow
@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_eight_threads_in_one_account_each_event_on_disk_when_record_returns():
    account = bare_account()
    append(account, 1)
    late = []

    def append_and_check(n):
        for i in range(15):
            event = record("page.view", account=account, detail={"thread": n, "i": i})
            if not flushed(event.wal_lsn):
                late.append(event.seq)

    assert run_at_once(8, append_and_check) == []
    assert late == []
    seqs = list(AuditEvent.objects.filter(account=account).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 8 * 15 + 2))
    assert verify_all(account=account)[1] == []


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_on_its_own_the_append_commits_without_waiting_for_the_disk():
    """What frees the chain's lock early: the statement's own commit does not flush (the
    barrier, dropped here, is what waits)."""
    account = bare_account()
    append(account, 1)
    with Observer() as look:
        # (other sessions' commits may flush an event early: one left unflushed of 50 is enough)
        for _ in range(50):
            event = visible_not_yet_durable(account, 1)[0]
            if not look.flushed(event.wal_lsn):
                break
        else:
            pytest.fail("every append was on disk when it returned: its commit waited for the flush")
        assert AuditEvent.objects.filter(pk=event.pk).exists()  # committed: others see it
    assert synchronous_commit() == "on"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_record_stays_synchronous():
    account = bare_account()
    append(account, 1)
    for _ in range(5):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            event = record("page.view", account=account)
            assert synchronous_commit() == "on"
        assert [q["sql"].split()[0] for q in queries.captured_queries] == ["WITH", "SHOW"]
        assert "synchronous_commit" not in queries.captured_queries[0]["sql"]
        assert flushed(event.wal_lsn)  # the caller's commit flushed it


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_with_autocommit_turned_off_by_hand_record_joins_the_open_transaction_synchronously():
    account = bare_account()
    append(account, 1)
    transaction.set_autocommit(False)
    try:
        event = record("page.view", account=account)
        assert synchronous_commit() == "on"
        transaction.commit()
    finally:
        transaction.set_autocommit(True)
    assert flushed(event.wal_lsn)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_barrier_still_waits_for_what_the_transaction_sees():
    account = bare_account()
    append(account, 1)
    events = visible_not_yet_durable(account)
    with transaction.atomic():
        durability.wait_until_durable()
        assert all(flushed(e.wal_lsn) for e in events)


class CheckingSink:
    """A binary sink that checks, at every write, that what it receives is on disk."""

    def __init__(self, look: Observer, lsn: str):
        self.look, self.lsn, self.writes = look, lsn, 0

    def write(self, data) -> None:
        assert self.look.flushed(self.lsn), "a line left before its event was on disk"
        self.writes += 1

    def flush(self) -> None:
        pass


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_ship_writes_only_events_on_disk():
    account = bare_account()
    append(account, 1)
    events = visible_not_yet_durable(account)
    with Observer() as look:
        sink = CheckingSink(look, events[-1].wal_lsn)
        shipped = shipping.ship(sink, state=shipping.ShipState(None), account=account)
    assert (sink.writes, shipped[0].last) == (6, 6)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_signs_only_events_on_disk(monkeypatch):
    account = bare_account()
    append(account, 1)
    events = visible_not_yet_durable(account)
    sign = keys.sign

    with Observer() as look:
        def checking_sign(message):
            assert look.flushed(events[-1].wal_lsn), "signed before the events were on disk"
            return sign(message)

        monkeypatch.setattr(keys, "sign", checking_sign)
        checkpoint = sign_head(chain_of(account))
    assert checkpoint.seq == 6


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["csv", "fhir"])
def test_an_export_sends_its_first_byte_only_once_its_rows_are_on_disk(fmt):
    """Streamed inside a caller's transaction, where the export's own event is not yet
    committed (alone, that synchronous commit would flush the rows anyway)."""
    account = bare_account()
    append(account, 1)
    events = visible_not_yet_durable(account)
    with Observer() as look, transaction.atomic():
        count, rows = exports.audit_export(actor=None, account=account, flt=EventFilter(), fmt=fmt,
                                           actor_username="cli:test")
        lines = exports.stream(fmt, rows, account)
        assert count == 6
        next(lines)
        assert look.flushed(events[-1].wal_lsn), "the export's first byte left before its rows were on disk"
        assert 1 + len(list(lines)) == 6  # one chunk per row (the first carries the CSV header)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["activity log", "my activity"])
def test_event_pages_answer_only_once_what_they_show_is_on_disk(page):
    """The Activity Log records its page view (record() waits) after reading the events;
    My Activity records nothing and waits itself. Either way the barrier runs after the
    events are read and before the response."""
    account = bare_account()
    user = account.owner
    add_member(account, user)
    record("page.view", account=account, actor=user)
    client = login_client(user)
    url = reverse("audit:activity-log", kwargs={"account": account.slug}) if page == "activity log" else "/me/activity/"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert b"Opened a page" in response.content
    sql = [q["sql"] for q in queries.captured_queries]
    read = max(i for i, s in enumerate(sql) if f'FROM "{TABLE}"' in s and s.startswith("SELECT"))
    assert durability.BARRIER in sql[read:], sql


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite only")
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_record_on_its_own_appends_as_before_and_the_barrier_is_nothing():
    account = bare_account()
    append(account, 1)
    with CaptureQueriesContext(connection) as queries:
        record("page.view", account=account)
        durability.wait_until_durable()
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["BEGIN", "UPDATE", "INSERT", "UPDATE", "COMMIT"], queries.captured_queries
