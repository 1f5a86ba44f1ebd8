"""Make checkpoints insert-only too, and refuse TRUNCATE of either table on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_auditcheckpoint "
    "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are insert-only'); END;",
    "CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_auditcheckpoint "
    "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are insert-only'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_checkpoint_no_update;",
    "DROP TRIGGER IF EXISTS audit_checkpoint_no_delete;",
]
POSTGRES = [
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
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_checkpoint_no_update ON audit_auditcheckpoint;",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_auditcheckpoint;",
    "DROP FUNCTION IF EXISTS audit_log_refuse_change();",
]
STATEMENTS = {"sqlite": (SQLITE, SQLITE_DROP), "postgresql": (POSTGRES, POSTGRES_DROP)}


def install(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[0]:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[1]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_checkpoints_filter_indexes")]
    operations = [migrations.RunPython(install, remove)]
