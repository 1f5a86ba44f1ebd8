"""The three target indexes hold only events that have a target.

A page view, most of the log, has no target: leaving it out of (account, target_type, -seq),
(account, target_id, -seq) and (account, target_type, target_id, -seq) makes its append
write three index entries fewer, and the indexes smaller. The new, partial indexes are
built before the old ones are dropped (CONCURRENTLY on PostgreSQL), so the target filters
are index-backed throughout.
"""

from django.db import migrations, models
from django.db.models import Q

from practicegate.core.migration_ops import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("audit", "0005_fewer_event_indexes")]

    operations = [
        AddIndexOnline(
            model_name="auditevent",
            index=models.Index(fields=["account", "target_type", "-seq"], name="audit_target_type_set",
                               condition=~Q(target_type="")),
        ),
        AddIndexOnline(
            model_name="auditevent",
            index=models.Index(fields=["account", "target_id", "-seq"], name="audit_target_id_set",
                               condition=~Q(target_id="")),
        ),
        AddIndexOnline(
            model_name="auditevent",
            index=models.Index(fields=["account", "target_type", "target_id", "-seq"], name="audit_target_set",
                               condition=~Q(target_type="")),
        ),
        RemoveIndexOnline(model_name="auditevent", name="audit_account_target_type"),
        RemoveIndexOnline(model_name="auditevent", name="audit_account_target_id"),
        RemoveIndexOnline(model_name="auditevent", name="audit_account_target"),
    ]
