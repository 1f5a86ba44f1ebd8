"""Concurrent appends to one account stay gapless and chained, on both databases."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from practicegate.audit.models import AuditEvent
from practicegate.audit.services import record
from practicegate.audit.verify import verify_all
from tests.audit.conftest import bare_account

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need separate server connections")
@pytest.mark.django_db(transaction=True)
def test_threads_appending_to_one_account_on_postgresql():
    account = bare_account()
    threads_n, each = 6, 20
    errors = []
    barrier = threading.Barrier(threads_n)

    def work(n):
        barrier.wait()
        try:
            for i in range(each):
                record("page.view", account=account, detail={"thread": n, "i": i})
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = list(AuditEvent.objects.filter(account=account).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads_n * each + 1))
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
