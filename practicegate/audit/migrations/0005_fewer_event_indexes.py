"""Fewer indexes on the events table; the chain remembers its head event's time.

Only CREATE INDEX and DROP INDEX touch the events table, on both databases:
no full-table rewrite of the events (on PostgreSQL, and on SQLite, where
Django's AlterField would copy the table and lose the insert-only triggers, so
the foreign keys' db_index change is applied to the state only and their
single-column indexes are dropped by name). On PostgreSQL every index is
created and dropped CONCURRENTLY (``atomic = False``), so record() keeps
writing while an index builds (about 3 s per million events here); on SQLite
they are plain CREATE/DROP INDEX.

- dropped: (account, actor, -seq) and (actor, -at), which no query uses, and the
  single-column indexes on chain_id, account_id and actor_id, which
  (chain, seq), (account, -seq) and (actor, -id) already start with;
- added: (account, target_type, -seq) for the target-type filter and
  (account, target_type, target_id, -seq) for a target (type and id);
- (account, at) becomes (account, at, seq): a date range's first seq is one seek;
- audit_auditchain.head_at, filled from each chain's head event (a small table).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from practicegate.core.migration_ops import AddIndexOnline, RemoveIndexOnline

EVENTS = "audit_auditevent"
FK_COLUMNS = ("chain_id", "account_id", "actor_id")


def _single_column_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, EVENTS)
    for name, info in constraints.items():
        if (info["index"] and not info["unique"] and not info["primary_key"]
                and len(info["columns"]) == 1 and info["columns"][0] in FK_COLUMNS):
            yield name


def drop_fk_indexes(apps, schema_editor):
    online = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name in list(_single_column_indexes(schema_editor)):
        schema_editor.execute(f"DROP INDEX{online} {schema_editor.quote_name(name)}")


def create_fk_indexes(apps, schema_editor):
    model = apps.get_model("audit", "AuditEvent")
    for column in FK_COLUMNS:
        field = model._meta.get_field(column.removesuffix("_id"))
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


def _fk(to, **kwargs):
    return models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING,
                             related_name="+", to=to, **kwargs)


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0004_checkpoints_insert_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        RemoveIndexOnline(model_name="auditevent", name="audit_account_actor"),
        RemoveIndexOnline(model_name="auditevent", name="audit_actor_at"),
        RemoveIndexOnline(model_name="auditevent", name="audit_account_at"),
        AddIndexOnline(
            model_name="auditevent",
            index=models.Index(fields=["account", "at", "seq"], name="audit_account_at_seq"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="auditevent", name="account",
                                      field=_fk("accounts.account", null=True)),
                migrations.AlterField(model_name="auditevent", name="actor",
                                      field=_fk(settings.AUTH_USER_MODEL, null=True)),
                migrations.AlterField(model_name="auditevent", name="chain", field=_fk("audit.auditchain")),
            ],
            database_operations=[migrations.RunPython(drop_fk_indexes, create_fk_indexes)],
        ),
        AddIndexOnline(
            model_name="auditevent",
            index=models.Index(fields=["account", "target_type", "-seq"], name="audit_account_target_type"),
        ),
        AddIndexOnline(
            model_name="auditevent",
            index=models.Index(fields=["account", "target_type", "target_id", "-seq"], name="audit_account_target"),
        ),
        migrations.AddField(model_name="auditchain", name="head_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.RunSQL(
            "UPDATE audit_auditchain SET head_at = (SELECT e.at FROM audit_auditevent e"
            " WHERE e.chain_id = audit_auditchain.id AND e.seq = audit_auditchain.seq)",
            migrations.RunSQL.noop,
        ),
    ]
