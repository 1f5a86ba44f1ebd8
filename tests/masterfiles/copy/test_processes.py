"""Copies in other processes: two at once into one destination, and one killed mid-copy.

The processes share the test's database: the PostgreSQL test database, or for
SQLite a file made from the in-memory test database (other processes cannot
open that one). Data is committed, hence transactional_db.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.masterfiles.copy.helpers import SOURCE_BILLING, SOURCE_PAYERS, seed

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[3]
N_DIAGNOSIS = 400


class SharedDatabase:
    """The database as other processes see it, and a way to count its rows."""

    def __init__(self, tmp_path: Path):
        self.sqlite_path = None
        s = connection.settings_dict
        if connection.vendor == "sqlite":
            self.sqlite_path = tmp_path / "shared.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.sqlite_path}"
        else:
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        self.env = dict(os.environ, DATABASE_URL=self.url, DJANGO_SETTINGS_MODULE="tests.settings",
                        PRACTICEGATE_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
        self.env.pop("PRACTICEGATE_TEST_DB_NAME", None)

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.sqlite_path:
            with sqlite3.connect(self.sqlite_path) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def start(self, source: str, dest: str, *, pause: bool = False) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "tests.masterfiles.copy.copy_worker", source, dest, "master"] + (["--pause"] if pause else [])
        return subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def waiting_for_a_lock(self, proc: subprocess.Popen) -> bool:
        """Tell whether `proc` is held back by another process's open write transaction.

        PostgreSQL shows a backend blocked on a lock. SQLite cannot be asked who waits, so check
        that a writer holds the database's write lock and that `proc` has not finished two
        seconds later (a copy of this size takes a fraction of that; SQLite waits up to 20 s).
        """
        if self.sqlite_path:
            if not self.write_lock_held():
                return False
            time.sleep(2)
            return proc.poll() is None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.query("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")[0][0]:
                return proc.poll() is None
            time.sleep(0.05)
        return False

    def write_lock_held(self) -> bool:
        """Try to start a write transaction on the SQLite file without waiting."""
        db = sqlite3.connect(self.sqlite_path, timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        else:
            db.execute("ROLLBACK")
            return False
        finally:
            db.close()


def expect_line(proc: subprocess.Popen, wanted: str) -> None:
    """Read the worker's output (progress lines included) up to `wanted`."""
    while True:
        line = proc.stdout.readline()
        assert line, ("worker ended before " + wanted, proc.stderr.read())
        if line.strip() == wanted:
            return


def finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out


def copy_rows(db: SharedDatabase, table: str, account_id: int, *cols: str) -> list[tuple]:
    return sorted(db.query(f"SELECT {', '.join(cols)} FROM {table} WHERE account_id = %s", [account_id]))


@pytest.fixture
def big_source(master, accounts):
    diagnosis = [{"code": f"Z{i:04d}", "description": f"Test condition {i}", "active": i % 7 != 0}
                 for i in range(N_DIAGNOSIS)]
    payers = SOURCE_PAYERS + [{"name": "No-ID Fund", "payer_id": ""}]
    seed(accounts["north"], diagnosis=diagnosis, billing=SOURCE_BILLING, payers=payers)
    # The destination already has one code, worded differently.
    seed(accounts["south"], diagnosis=[{"code": "Z0001", "description": "Ours"}])
    return accounts["north"]


def test_two_copies_into_one_destination_both_finish_without_duplicates(big_source, accounts, tmp_path):
    db = SharedDatabase(tmp_path)
    south = accounts["south"].pk
    first = db.start("north", "south", pause=True)
    expect_line(first, "STARTING")
    expect_line(first, "PAUSED")  # inside its transaction, rows inserted, not committed
    second = db.start("north", "south")
    expect_line(second, "STARTING")
    assert db.waiting_for_a_lock(second)
    first.stdin.write("\n")
    first.stdin.flush()
    finish(first)
    finish(second)

    source_rows = copy_rows(db, "masterfiles_diagnosiscode", big_source.pk, "code", "description", "active")
    assert copy_rows(db, "masterfiles_diagnosiscode", south, "code", "description", "active") == source_rows
    assert len(copy_rows(db, "masterfiles_insurancepayer", south, "name")) == 3  # the ID-less ones once
    assert len(copy_rows(db, "masterfiles_billingcode", south, "code")) == 2
    details = [row[0] for row in db.query(
        "SELECT detail FROM audit_auditevent WHERE account_id = %s AND action = 'codes.copy' ORDER BY seq", [south])]
    assert len(details) == 2
    first_counts, second_counts = (json.loads(d) if isinstance(d, str) else d for d in details)
    assert first_counts["files"]["diagnosis"] == {"added": N_DIAGNOSIS - 1, "identical": 0, "different": 1,
                                                  "replaced": 1}
    assert second_counts["files"]["diagnosis"] == {"added": 0, "identical": N_DIAGNOSIS, "different": 0,
                                                   "replaced": 0}


def test_a_killed_copy_leaves_the_destination_unchanged(big_source, accounts, tmp_path):
    db = SharedDatabase(tmp_path)
    south = accounts["south"].pk
    before = copy_rows(db, "masterfiles_diagnosiscode", south, "code", "description", "active")
    events_before = db.query("SELECT count(*) FROM audit_auditevent")[0][0]
    proc = db.start("north", "south", pause=True)
    expect_line(proc, "STARTING")
    expect_line(proc, "PAUSED")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert copy_rows(db, "masterfiles_diagnosiscode", south, "code", "description", "active") == before
    assert db.query("SELECT count(*) FROM masterfiles_billingcode WHERE account_id = %s", [south])[0][0] == 0
    assert db.query("SELECT count(*) FROM audit_auditevent")[0][0] == events_before
    # The lock died with the process: the next copy runs and completes.
    again = db.start("north", "south")
    assert "DONE" in finish(again)
    assert len(copy_rows(db, "masterfiles_diagnosiscode", south, "code")) == N_DIAGNOSIS
