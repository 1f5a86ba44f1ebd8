"""The `postgresql` mark: skipped on SQLite with its reason, a failure when CI skips it on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.postgresql_only import in_ci, skip_is_a_failure

ROOT = Path(__file__).resolve().parents[1]

INNER = '''
import pytest

@pytest.mark.postgresql("needs the server")
def test_marked_and_skipped_inside():
    pytest.skip("pg_dump is missing")

@pytest.mark.postgresql("needs the server")
def test_marked_and_passing():
    pass

def test_unmarked_and_skipped():
    pytest.skip("not about PostgreSQL")
'''


def run_inner(tmp_path: Path, *, database_url: str, ci: str) -> str:
    """Run a small suite in its own pytest, with our settings and the mark's plugin, and return its report."""
    (tmp_path / "test_inner.py").write_text(INNER)
    env = {**os.environ, "DATABASE_URL": database_url, "CI": ci, "DJANGO_SETTINGS_MODULE": "tests.settings",
           "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "-p",
                             "tests.postgresql_only", "--rootdir", str(tmp_path), str(tmp_path)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return result.stdout + result.stderr


@pytest.mark.parametrize(("marked", "skipped", "ci", "postgresql", "fails"), [
    (True, True, True, True, True),
    (True, True, False, True, False),    # outside CI a skip stays a skip
    (True, True, True, False, False),    # the SQLite run of CI skips it; the PostgreSQL run must not
    (False, True, True, True, False),    # other skips are not this mark's business
    (True, False, True, True, False),
])
def test_only_a_marked_skip_in_ci_on_postgresql_fails(marked, skipped, ci, postgresql, fails):
    assert skip_is_a_failure(marked=marked, skipped=skipped, ci=ci, postgresql=postgresql) is fails


@pytest.mark.parametrize(("value", "ci"), [("true", True), ("True", True), ("1", True), ("", False),
                                           ("false", False)])
def test_ci_is_read_from_the_environment(value, ci):
    assert in_ci({"CI": value}) is ci


def test_in_ci_on_postgresql_a_skipped_marked_test_fails(tmp_path):
    # No test here opens a connection: the URL only selects the PostgreSQL engine.
    out = run_inner(tmp_path, database_url="postgres://postgres@127.0.0.1:1/none", ci="true")
    assert "FAILED test_inner.py::test_marked_and_skipped_inside" in out, out
    assert "PostgreSQL-only test test_inner.py::test_marked_and_skipped_inside was skipped" in out
    assert "PASSED test_inner.py::test_marked_and_passing" in out
    assert "SKIPPED" in out and "not about PostgreSQL" in out
    assert "1 failed, 1 passed, 1 skipped" in out


def test_outside_ci_the_skip_stays_a_skip(tmp_path):
    out = run_inner(tmp_path, database_url="postgres://postgres@127.0.0.1:1/none", ci="")
    assert "1 passed, 2 skipped" in out, out


def test_on_sqlite_a_marked_test_is_skipped_with_its_reason(tmp_path):
    out = run_inner(tmp_path, database_url="sqlite:///:memory:", ci="true")
    assert "PostgreSQL only: needs the server" in out, out
    assert "1 passed" not in out and "3 skipped" in out
