"""The insert-only triggers of the activity log, as SQL per database: (create, drop) each.

Migrations 0002 and 0004 install them, and triggers.py re-installs them around tests that
tamper with the log. A migration must keep producing the same database, so these texts
never change: a different trigger is a new definition here and a new migration.
"""

from __future__ import annotations

# Migration 0002: events refuse UPDATE and DELETE.
_SQLITE_EVENTS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are insert-only'); END;",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are insert-only'); END;",
]
_SQLITE_DROP_EVENTS = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
]
_POSTGRES_EVENTS = [
    """CREATE OR REPLACE FUNCTION audit_event_insert_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit events are insert-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_insert_only();",
]
_POSTGRES_DROP_EVENTS = [
    "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_insert_only();",
]
EVENTS = {"sqlite": (_SQLITE_EVENTS, _SQLITE_DROP_EVENTS), "postgresql": (_POSTGRES_EVENTS, _POSTGRES_DROP_EVENTS)}

# Migration 0004: checkpoints refuse them too, and PostgreSQL refuses TRUNCATE of either table.
_SQLITE_CHECKPOINTS = [
    "CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_auditcheckpoint "
    "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are insert-only'); END;",
    "CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_auditcheckpoint "
    "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are insert-only'); END;",
]
_SQLITE_DROP_CHECKPOINTS = [
    "DROP TRIGGER IF EXISTS audit_checkpoint_no_update;",
    "DROP TRIGGER IF EXISTS audit_checkpoint_no_delete;",
]
_POSTGRES_CHECKPOINTS = [
    """CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'the activity log is insert-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE OR DELETE ON audit_auditcheckpoint "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();",
    # Row triggers do not fire on TRUNCATE; these statement triggers do.
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();",
    "CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_auditcheckpoint "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();",
]
_POSTGRES_DROP_CHECKPOINTS = [
    "DROP TRIGGER IF EXISTS audit_checkpoint_no_update ON audit_auditcheckpoint;",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_auditcheckpoint;",
    "DROP FUNCTION IF EXISTS audit_log_refuse_change();",
]
CHECKPOINTS = {"sqlite": (_SQLITE_CHECKPOINTS, _SQLITE_DROP_CHECKPOINTS),
               "postgresql": (_POSTGRES_CHECKPOINTS, _POSTGRES_DROP_CHECKPOINTS)}
# In migration order: install walks it forwards, remove backwards.
IN_ORDER = (EVENTS, CHECKPOINTS)
