"""The fast walk's batches: the bytes the database spells, doubtful batches, batch edges."""

from __future__ import annotations

import pytest
from django.db import connection

from practicegate.audit import chain as chainlib
from practicegate.audit import fastwalk, keys, spelling, verify
from practicegate.audit.checkpoints import sign_head
from practicegate.audit.models import AuditEvent
from practicegate.audit.services import record
from tests.audit.helpers import Tamper, append, bare_account, chain_of, record_tricky_events

pytestmark = pytest.mark.django_db


def problems_of(account):
    return verify.verify_chain(chain_of(account), public_keys=[keys.public_key()])


def batch_of(account):
    with connection.cursor() as cursor:
        return fastwalk._read_batch(cursor, spelling.batch_sql(connection.vendor), chain_of(account).pk, 0, 2**62)


def test_the_database_spells_each_row_as_chain_canonical_does():
    account = bare_account()
    record_tricky_events(account)
    rows, details, seqs, count = batch_of(account)
    events = list(AuditEvent.objects.filter(chain=chain_of(account)).order_by("seq"))
    assert (count, seqs) == (len(events), ",".join(str(e.seq) for e in events))
    parts, details = rows.split(b"\x1f"), details.split(b"\x1f")
    for i, event in enumerate(events):
        head, tail, stored = parts[3 * i: 3 * i + 3]
        spelled = head + fastwalk._canonical_detail(details[i]) + tail
        assert spelled == event.prev_hash.encode() + chainlib.canonical(chainlib.fields_of(event))
        assert stored == event.hash.encode()
    assert events[1].actor_id == 2**40 and events[0].actor_id is None
    assert events[2].at.microsecond == 0
    assert fastwalk._confirm((rows, b"\x1f".join(details), seqs, count), 1, chainlib.GENESIS, frozenset({2}), {},
                           {}) is not None


@pytest.mark.parametrize("username", ['say "hi"', "back\\slash", "new\nline", "unit\x1fseparator", "bell\x07"])
def test_text_that_needs_escaping_is_confirmed_the_exact_way(username):
    account = bare_account()
    append(account, 3)
    record("page.view", account=account, actor_username=username, detail={"k": username})
    append(account, 2)
    assert fastwalk._confirm(batch_of(account), 1, chainlib.GENESIS, frozenset(), {}, {}) is None
    expected, running, _, stopped = fastwalk._fast_stretch(chain_of(account).pk, 1, 2**62, chainlib.GENESIS, None,
                                                         frozenset(), {})
    assert (stopped, expected, running) == (None, 7, chain_of(account).head_hash)
    assert problems_of(account) == []
    with Tamper(chain_of(account)) as t:
        t.flip(4, "actor_username", 1)
    assert [(p.seq, p.kind) for p in problems_of(account)] == [(4, "edited")]


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_number_stored_as_text_is_an_edit():
    """SQLite keeps any type in any column: the text 'null' where the actor was null is a change."""
    account = bare_account()
    append(account, 3)
    with Tamper(chain_of(account)) as t:
        t.set(2, "actor_id", "null")
    assert AuditEvent.objects.filter(chain=chain_of(account), seq=2).values_list("actor_id", flat=True)[0] == "null"
    assert [(p.seq, p.kind) for p in problems_of(account)] == [(2, "edited")]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(fastwalk, "BATCH", 3)


def test_checkpoints_inside_batches_verify(small_batches):
    account = bare_account()
    append(account, 5)
    sign_head(chain_of(account))  # seq 5: the middle of the second batch
    append(account, 5)
    assert problems_of(account) == []


@pytest.mark.parametrize("seq", [3, 4, 7, 10])
def test_an_edit_at_or_near_a_batch_edge_is_named(small_batches, seq):
    account = bare_account()
    append(account, 10)
    with Tamper(chain_of(account)) as t:
        t.flip(seq, "section")
    assert [(p.seq, p.kind) for p in problems_of(account)] == [(seq, "edited")]


@pytest.mark.parametrize("seqs", [[4], [4, 5, 6], [7, 8, 9, 10]])
def test_events_deleted_across_batches_are_missing(small_batches, seqs):
    account = bare_account()
    append(account, 10)
    with Tamper(chain_of(account)) as t:
        for seq in seqs:
            t.delete(seq)
    problems = problems_of(account)
    assert (problems[0].seq, problems[0].kind) == (seqs[0], "missing")


def test_a_null_where_text_belongs_is_an_edit():
    """Someone who rebuilds the table without NOT NULL may store a NULL where "" was hashed:
    the fast walk must not read it as "" (it sends the batch to the exact walk, which names it)."""
    account = bare_account()
    append(account, 3)
    if connection.vendor == "sqlite":
        # Rebuilding SQLite's table is out of reach of a test: spell a synthetic row instead.
        columns = ", ".join(f"{'NULL' if name == 'section' else repr(str(i))} AS {name}" for i, name in
                            enumerate(["prev_hash", "hash", "at", "account_id", "actor_id", "seq", "detail",
                                       *(n for n in spelling.HASHED if n not in ("at", "account", "actor", "seq",
                                                                                 "detail"))]))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {spelling._row_sql('sqlite')} FROM (SELECT {columns})", [])
            spelled = cursor.fetchone()[0]
        assert '"section":"\\"' in spelled  # a backslash: doubtful, never ""
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {AuditEvent._meta.db_table} ALTER COLUMN section DROP NOT NULL")
    with Tamper(chain_of(account)) as t:
        t.set(2, "section", None)
    assert [(p.seq, p.kind) for p in problems_of(account)] == [(2, "edited")]
