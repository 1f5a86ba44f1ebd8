"""Make checkpoints insert-only too, and refuse TRUNCATE of either table on PostgreSQL."""

from django.db import migrations

from practicegate.audit import trigger_sql

STATEMENTS = trigger_sql.CHECKPOINTS


def install(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[0]:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[1]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_checkpoints_filter_indexes")]
    operations = [migrations.RunPython(install, remove)]
