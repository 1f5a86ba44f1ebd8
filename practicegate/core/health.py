"""`/healthz` for the load balancer: the database answers and every migration is applied.

No authentication, no session, no data (only "ok" or what is wrong, as counts), and
no activity-log event: it sits outside every account, and a probe every few seconds
per app server is not a person opening a page.
"""

from __future__ import annotations

from functools import cache

from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from practicegate.core.decorators import public


@cache
def known_migrations() -> frozenset[tuple[str, str]]:
    """The migrations this code ships (read from disk once per process)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def unapplied_migrations() -> set[tuple[str, str]]:
    """Shipped migrations the database has not recorded (all of them on an empty database)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:  # no django_migrations table yet
        applied = set()
    return set(known_migrations()) - applied


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def check() -> tuple[bool, dict]:
    if not database_reachable():
        return False, {"status": "unavailable", "database": "unreachable"}
    missing = unapplied_migrations()
    if missing:
        return False, {"status": "unavailable", "database": "ok", "unapplied_migrations": len(missing)}
    return True, {"status": "ok", "database": "ok", "migrations": "applied"}


@public
@never_cache
@require_safe
def health(request):
    healthy, body = check()
    return JsonResponse(body, status=200 if healthy else 503)
