"""Install or remove the insert-only triggers (test set-up; the migrations install them first)."""

from __future__ import annotations

from practicegate.audit.trigger_sql import IN_ORDER


def _statements(connection, which: int) -> list[list[str]]:
    return [definition.get(connection.vendor, ((), ()))[which] for definition in IN_ORDER]


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
