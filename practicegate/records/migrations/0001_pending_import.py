"""Take over PendingImport from masterfiles, keeping its table and rows.

Only Django's model state moves (SeparateDatabaseAndState with no database operation):
the table keeps its name, masterfiles_pendingimport, so the step is the same on SQLite
and PostgreSQL, locks nothing and keeps previews kept at deploy time confirmable. A new
table would also have been acceptable (previews live an hour), but it needs a create, a
drop and an hour of lost previews for no gain. masterfiles.0004 drops the model from
masterfiles' state after this one.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PendingImport",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("kind", models.CharField(max_length=20)),
                        ("token", models.CharField(max_length=64, unique=True)),
                        ("filename", models.CharField(blank=True, max_length=200)),
                        ("data", models.BinaryField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("account", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                      related_name="+", to="accounts.account")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "masterfiles_pendingimport"},
                ),
            ],
            database_operations=[],
        ),
    ]
