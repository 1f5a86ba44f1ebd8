"""Install or remove the insert-only triggers (the migrations and test set-up share this)."""

from __future__ import annotations

import importlib

# In migration order: install walks it forwards, remove backwards.
_MIGRATIONS = [
    importlib.import_module("practicegate.audit.migrations.0002_insert_only"),
    importlib.import_module("practicegate.audit.migrations.0004_checkpoints_insert_only"),
]


def _statements(connection, which: int) -> list[str]:
    return [m.STATEMENTS.get(connection.vendor, ((), ()))[which] for m in _MIGRATIONS]


def install(connection) -> None:
    """(Re)create every trigger: drop first so installing twice is harmless."""
    remove(connection)
    with connection.cursor() as cursor:
        for create in _statements(connection, 0):
            for sql in create:
                cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for drop in reversed(_statements(connection, 1)):
            for sql in drop:
                cursor.execute(sql)
