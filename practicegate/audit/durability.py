"""`wait_until_durable()`: return once every event this connection can see is on disk.

Why it exists (PostgreSQL only). record() called on its own, with no transaction
open, commits its event with `synchronous_commit = off` for that one statement
(services._APPEND): the commit record goes into the WAL buffers, the chain's row
lock is released at once, and the next writer of the account can append while
the WAL is being flushed. With a synchronous commit the lock was held through the
flush, so one account's writers queued on the disk, one flush each, whereas
different accounts' commits share flushes (group commit). record() then calls this
function before it returns, so it still returns only once its event is on disk.

Why that is enough. The WAL is one sequence and a crash keeps a prefix of it:
flushing up to any position flushes everything before it. So
* an event is durable once any commit record written after it is flushed; the
  barrier below is such a commit, written after the event's own on the same
  connection, and waiting for its flush waits for the event's (the barriers of
  many writers share flushes: group commit, as for different accounts);
* the chain stays gapless and verifiable after a crash: an event links to its
  predecessor only after the predecessor's commit (the row lock), so its commit
  record comes later in the WAL; if it survives, so does every event it links to;
* with synchronous replication (`synchronous_standby_names`), the barrier's commit
  also waits for the standby to confirm its position, which covers the event.
The one new window: another session may *see* an async-committed event during the
moment between its commit and the flush. Everything that lets events leave the
database calls this function after reading them and before writing them out or
signing them: `audit ship` (shipping.py), checkpoints (checkpoints.py), exports
(exports.py), My Activity. An Activity Log page records its own page view after
reading its events and before answering, and that record() waits here too.

Inside a transaction (a change and its event) nothing of this applies: the
caller's commit is synchronous, as it always was.

The price: each barrier is a transaction of its own with an id, a tiny WAL record
and a commit record, so an event written on its own takes two transaction ids
instead of one (anti-wraparound vacuums come round sooner) and two commits, one of
them flushed.
"""

from __future__ import annotations

from django.db import connection, connections

# A transactional logical-decoding message: it writes a (tiny) WAL record and so gets
# a transaction id, and such a transaction's commit is flushed (synchronous_commit is
# on again: record() turned it off only for its own statement's transaction).
# `SELECT pg_current_xact_id()` would not do: a transaction that has an id but wrote no
# WAL commits *without* waiting for the flush (xact.c, RecordTransactionCommit).
# pg_logical_emit_message() is executable by any role; a logical-decoding consumer, if
# any, sees messages with this prefix and can ignore them.
BARRIER = "SELECT pg_logical_emit_message(true, 'practicegate.audit', 'durable')"


def outside_a_transaction() -> bool:
    """True when a statement now runs in autocommit, its own transaction (no atomic block,
    and autocommit not turned off by hand)."""
    return connection.get_autocommit() and not connection.in_atomic_block


def wait_until_durable() -> None:
    """Return once the WAL is flushed past everything this connection can see now.

    Outside a transaction: BARRIER, one round trip, its flush shared with other sessions'.
    Inside one (whose commit is the caller's, later): BARRIER on a short-lived second
    connection: what this one sees was committed before, so comes earlier in the WAL.
    (Waiting for pg_current_wal_flush_lsn() to pass pg_current_wal_insert_lsn() would not
    do: the WAL writer flushes a partly filled page only up to the last asynchronous
    commit, so other sessions' uncommitted WAL could keep it waiting indefinitely.)
    SQLite: nothing to do (a transaction sees only what was committed with the database's
    own durability settings, as before).
    """
    if connection.vendor != "postgresql":
        return
    if outside_a_transaction():
        with connection.cursor() as cursor:
            cursor.execute(BARRIER)
        return
    other = connections.create_connection(connection.alias)
    try:
        with other.cursor() as cursor:
            cursor.execute(BARRIER)
    finally:
        other.close()
