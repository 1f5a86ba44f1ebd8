"""PostgreSQL helpers for the operations tests: throw-away databases beside the test database,
and the installation's commands run as separate processes against them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.helpers import clean_environ

on_postgres = pytest.mark.postgresql("DATABASE_URL=postgres://...")


def _configured_url() -> str:
    return os.environ["DATABASE_URL"]


def database_url(name: str) -> str:
    parts = urlsplit(_configured_url())
    return urlunsplit(parts._replace(path="/" + name))


def database_name(suffix: str) -> str:
    """A name beside the configured database's (pg_ops -> pg_ops_drill), so runs do not collide."""
    base = urlsplit(_configured_url()).path.lstrip("/") or "practicegate"
    return f"{base}_{suffix}"


def admin(sql: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def drop(name: str) -> None:
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def empty_database(suffix: str):
    """A new, empty database (dropped afterwards); yields (name, url)."""
    name = database_name(suffix)
    drop(name)
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield name, database_url(name)
    finally:
        drop(name)


def cli_env(url: str, var_dir, **extra) -> dict:
    return {**clean_environ(), "DJANGO_SETTINGS_MODULE": "practicegate.settings", "DATABASE_URL": url,
            "PRACTICEGATE_VAR_DIR": str(var_dir), **extra}


def cli(env: dict, *args, timeout=600, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "practicegate.cli", *args], env=env,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"practicegate {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def client_tool(name: str) -> str:
    """pg_dump or pg_restore; .ci/run installs postgresql-client when they are missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: apt-get install postgresql-client")
    return path


def wait_for(predicate, *, seconds: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
