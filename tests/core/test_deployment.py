"""Production settings, the command line and the embedded database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings

from tests.helpers import clean_environ, run_cli


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = run_cli(
        "check", "--deploy", "--fail-level", "WARNING",
        env={
            "PRACTICEGATE_PRODUCTION": "1",
            "PRACTICEGATE_SECRET_KEY": "k" * 64 + "-production-secret-not-for-real-use",
            "PRACTICEGATE_ALLOWED_HOSTS": "practice.example.org",
            "PRACTICEGATE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_development_settings_are_not_deployable(tmp_path):
    result = run_cli("check", "--deploy", "--fail-level", "WARNING",
                     env={"PRACTICEGATE_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite3"})
    assert result.returncode != 0  # insecure cookies and no HSTS are flagged


def test_database_connections_persist():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] >= 60
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.slow
def test_migrate_and_demo_on_a_fresh_sqlite_file_in_wal_mode(tmp_path):
    # As `make run` does: the default SQLite file under var/, whatever DATABASE_URL the suite uses.
    env = clean_environ()
    env.update({"PRACTICEGATE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "practicegate.settings"})

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "practicegate.cli", *args], capture_output=True,
                              text=True, timeout=300, env=env)

    assert cli("migrate", "--noinput").returncode == 0
    first = cli("demo")
    assert first.returncode == 0, first.stderr
    assert "Created the demo group practice" in first.stdout
    for username in ("sunrise", "lakeside", "harbor"):
        assert username in first.stdout
    second = cli("demo")
    assert "already present" in second.stdout
    db_file = tmp_path / "practicegate.sqlite3"
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        accounts = conn.execute("SELECT count(*) FROM accounts_account").fetchone()[0]
        owners = conn.execute("SELECT count(DISTINCT owner_id) FROM accounts_account").fetchone()[0]
    assert accounts >= 3 and owners == accounts
