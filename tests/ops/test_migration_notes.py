"""Upgrades with the servers up: every migration has its PostgreSQL note in docs/operations.md,
and no migration after the reviewed ones takes a long lock on the events table."""

from __future__ import annotations

from pathlib import Path

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

OPERATIONS_DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
# Reviewed, with their notes: they ran before any installation held many events.
REVIEWED_ON_EVENTS = {("audit", "0001_initial"), ("audit", "0002_insert_only"),
                      ("audit", "0003_checkpoints_filter_indexes"), ("audit", "0004_checkpoints_insert_only"),
                      # Reviewed: its index changes are concurrent on PostgreSQL; its RunPython drops
                      # three indexes CONCURRENTLY and its RunSQL only reads events by (chain, seq).
                      ("audit", "0005_fewer_event_indexes")}
# What may touch audit_auditevent without rewriting it or blocking record() for long.
SHORT_LOCKS = (AddIndexConcurrently, RemoveIndexConcurrently)


def ours():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if migration.__module__.startswith("practicegate."):
            yield app, name, migration


def test_every_migration_has_a_note_in_the_operations_doc():
    text = OPERATIONS_DOC.read_text()
    missing = [f"{app}.{name}" for app, name, _ in ours() if f"`{app}.{name}`" not in text]
    assert not missing, f"docs/operations.md has no upgrade note for {missing}"


def _touches_events(operation) -> bool:
    if isinstance(operation, migrations.RunSQL | migrations.RunPython):
        return True  # cannot be read here: a new one needs review (and a place in REVIEWED_ON_EVENTS)
    return getattr(operation, "model_name", "").lower() == "auditevent" or \
        getattr(operation, "name", "").lower() == "auditevent"


def test_new_migrations_take_no_long_lock_on_the_events_table():
    offending = []
    for app, name, migration in ours():
        if app != "audit" or (app, name) in REVIEWED_ON_EVENTS:
            continue
        for operation in migration.operations:
            if _touches_events(operation) and not isinstance(operation, SHORT_LOCKS):
                offending.append(f"{app}.{name}: {operation.describe()}")
    assert not offending, (
        "these would lock or rewrite audit_auditevent while the servers run; use AddIndexConcurrently "
        f"(atomic = False), a nullable column without default, or review and document them: {offending}")
