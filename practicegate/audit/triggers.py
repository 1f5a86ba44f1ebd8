"""Install or remove the insert-only triggers (the migration and test set-up share this)."""

from __future__ import annotations

import importlib

_migration = importlib.import_module("practicegate.audit.migrations.0002_insert_only")


def install(connection) -> None:
    create, _ = _migration.STATEMENTS.get(connection.vendor, ((), ()))
    with connection.cursor() as cursor:
        for sql in _migration.STATEMENTS.get(connection.vendor, ((), ()))[1]:
            cursor.execute(sql)
        for sql in create:
            cursor.execute(sql)


def remove(connection) -> None:
    _, drop = _migration.STATEMENTS.get(connection.vendor, ((), ()))
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
