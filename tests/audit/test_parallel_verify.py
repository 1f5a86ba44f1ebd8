"""`audit verify` checks long chains on several processes; only an intact chain passes that way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from practicegate.audit import keys, parallel
from practicegate.audit.verify import verify_chain
from tests.audit.helpers import Tamper, append, bare_account, chain_of

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def long_chain(settings):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database cannot be shared with worker processes: "
                    "test_parallel_walk_on_an_sqlite_file covers SQLite")
    settings.AUDIT_PARALLEL_MIN_EVENTS = 10
    account = bare_account()
    append(account, 60)
    return account


def walk_in_parallel(chain):
    chain.refresh_from_db()
    return parallel.walk_chain(chain.pk, after_seq=0, after_hash="0" * 64, head_seq=chain.seq,
                               watch=frozenset({chain.seq}), workers=3)


@transactional
def test_an_intact_chain_is_walked_on_several_processes(long_chain):
    chain = chain_of(long_chain)
    result = walk_in_parallel(chain)
    assert result is not None and result.bad_row is None
    assert result.last == 60 and result.digests[60] == chain.head_hash == result.running
    assert verify_chain(chain, public_keys=[keys.public_key()], parallel=True) == []


@transactional
@pytest.mark.parametrize("seq", [1, 20, 21, 40, 41, 60])  # segment edges of 60 events on 3 workers
def test_an_edit_anywhere_sends_it_back_to_the_single_walk(long_chain, seq):
    chain = chain_of(long_chain)
    with Tamper(chain) as t:
        t.flip(seq, "actor_username")
    assert walk_in_parallel(chain) is None
    problems = verify_chain(chain, public_keys=[keys.public_key()], parallel=True)
    assert [(p.seq, p.kind) for p in problems[:1]] == [(seq, "edited")]


@transactional
def test_a_deleted_event_at_a_segment_edge_is_caught(long_chain):
    chain = chain_of(long_chain)
    with Tamper(chain) as t:
        t.delete(21)
    assert walk_in_parallel(chain) is None
    problems = verify_chain(chain, public_keys=[keys.public_key()], parallel=True)
    assert problems and problems[0].seq == 21


def test_parallel_walk_on_an_sqlite_file():
    """SQLite: worker processes share a database file; an edit falls back to the diagnosing walk."""
    proc = subprocess.run([sys.executable, "-m", "tests.audit.parallel_sqlite"],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["intact_walk"] == {"last": 60, "matches_head": True}
    assert result["intact_problems"] == []
    assert result["tampered_walk"] is None
    assert result["tampered_problems"][:1] == [[33, "edited"]]
