"""`practicegate check-production`: passes on a good installation, fails on each bad one."""

from __future__ import annotations

import secrets
import shutil
import sqlite3

import pytest

from tests.helpers import run_cli

STRONG_SECRET = secrets.token_urlsafe(48)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """One migrated SQLite file, copied by each test."""
    db = tmp_path_factory.mktemp("template") / "db.sqlite3"
    result = run_cli("migrate", "--noinput", env={"DATABASE_URL": f"sqlite:///{db}",
                                                   "PRACTICEGATE_VAR_DIR": str(db.parent)}, timeout=300)
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def install(tmp_path, migrated):
    """A production installation on disk: database, signing key and keyring outside the code tree."""
    db = tmp_path / "db.sqlite3"
    shutil.copy(migrated, db)
    env = {
        "PRACTICEGATE_PRODUCTION": "1",
        "PRACTICEGATE_SECRET_KEY": STRONG_SECRET,
        "PRACTICEGATE_ALLOWED_HOSTS": "practice.example.org",
        "PRACTICEGATE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{db}",
        "PRACTICEGATE_AUDIT_KEY": str(tmp_path / "keys" / "signing.pem"),
        "PRACTICEGATE_AUDIT_PUBLIC_KEYS": str(tmp_path / "keys" / "public-keyring.pem"),
    }
    made = run_cli("audit", "rotate-key", env=env)
    assert made.returncode == 0, made.stderr
    return env, db


def check(env, *args):
    return run_cli("check-production", *args, env=env)


def test_a_good_installation_passes(install):
    env, _ = install
    result = check(env)
    assert result.returncode == 0, result.stderr
    assert "OK: ready for production" in result.stdout


def test_a_missing_signing_key_fails(install, tmp_path):
    env, _ = install
    (tmp_path / "keys" / "signing.pem").unlink()
    result = check(env)
    assert result.returncode == 1
    assert "no activity-log signing key" in result.stderr
    assert check(env, "--app-server").returncode == 0  # an app server needs only the public keyring


def test_a_key_others_can_read_fails(install, tmp_path):
    env, _ = install
    (tmp_path / "keys" / "signing.pem").chmod(0o644)
    result = check(env)
    assert result.returncode == 1 and "readable by other users" in result.stderr


def test_a_missing_keyring_fails(install, tmp_path):
    env, _ = install
    (tmp_path / "keys" / "public-keyring.pem").unlink()
    result = check(env)
    assert result.returncode == 1 and "no public keyring" in result.stderr


def test_an_app_server_holding_the_signing_key_fails(install):
    env, _ = install
    result = check(env, "--app-server")
    assert result.returncode == 1 and "holds the activity-log signing key" in result.stderr


def test_debug_on_fails(install):
    env, _ = install
    result = check({**env, "PRACTICEGATE_DEBUG": "1"})
    assert result.returncode == 1 and "DEBUG is on" in result.stderr


def test_development_settings_fail(install):
    env, _ = install
    result = check({**env, "PRACTICEGATE_PRODUCTION": "0"})
    assert result.returncode == 1 and "PRACTICEGATE_PRODUCTION is not 1" in result.stderr


@pytest.mark.parametrize("secret", ["changeme", "a" * 80, ""])
def test_a_weak_or_missing_secret_fails(install, secret):
    env, _ = install
    result = check({**env, "PRACTICEGATE_SECRET_KEY": secret})
    assert result.returncode == 1
    assert "PRACTICEGATE_SECRET_KEY" in result.stderr


def test_an_unapplied_migration_fails(install):
    env, db = install
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM django_migrations WHERE app = 'masterfiles' AND name = '0002_pending_import_and_search'")
    result = check(env)
    assert result.returncode == 1
    assert "1 migration(s) not applied (masterfiles.0002_pending_import_and_search)" in result.stderr
