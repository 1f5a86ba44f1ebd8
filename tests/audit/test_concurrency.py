"""Concurrent appends to one account stay gapless and chained, on both databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.audit.services import record
from practicegate.audit.verify import verify_all
from tests.audit.helpers import bare_account
from tests.threads import run_at_once

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.postgresql("threads need separate server connections")
@pytest.mark.django_db(transaction=True)
def test_threads_appending_to_one_account_on_postgresql():
    account = bare_account()
    threads_n, each = 6, 20

    def append(n):
        for i in range(each):
            record("page.view", account=account, detail={"thread": n, "i": i})

    assert run_at_once(threads_n, append) == []
    seqs = list(AuditEvent.objects.filter(account=account).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads_n * each + 1))
    assert verify_all(account=account)[1] == []


@pytest.mark.slow
@pytest.mark.postgresql("threads need separate server connections")
@pytest.mark.django_db(transaction=True)
def test_writers_in_transactions_and_in_autocommit_share_one_chain_on_postgresql():
    """Half the writers append two events per transaction (a change and its events), half one
    event in autocommit; each waits for the chain's row lock and must link to the newest head."""
    from django.db import transaction

    from practicegate.audit.models import AuditChain

    account = bare_account()  # no chain row yet: the first appends race to create it
    threads_n, each = 8, 12

    def append(n):
        for i in range(each):
            if n % 2:
                with transaction.atomic():
                    record("page.view", account=account, detail={"thread": n, "i": i, "part": 1})
                    record("page.view", account=account, detail={"thread": n, "i": i, "part": 2})
            else:
                record("page.view", account=account, detail={"thread": n, "i": i})

    assert run_at_once(threads_n, append) == []
    total = threads_n // 2 * each * 3
    events = list(AuditEvent.objects.filter(account=account).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, total + 1))
    assert all(b.prev_hash == a.hash and b.at >= a.at for a, b in zip(events, events[1:], strict=False))
    for e in events:  # a transaction's two events are consecutive: the lock is held to its commit
        if e.detail.get("part") == 2:
            assert events[e.seq - 2].detail == {**e.detail, "part": 1}
    chain = AuditChain.objects.get(account=account)
    assert (chain.seq, chain.head_hash, chain.head_at) == (total, events[-1].hash, events[-1].at)
    assert verify_all(account=account)[1] == []


@pytest.mark.slow
def test_threads_appending_to_one_account_on_an_sqlite_file():
    proc = subprocess.run([sys.executable, "-m", "tests.audit.concurrent_appends"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["seqs"] == list(range(1, result["expected"] + 1))
    assert result["problems"] == []
