"""PendingImport now belongs to records (records.0001): drop it from masterfiles' state only.

The table masterfiles_pendingimport and its rows stay where they are; records' model
uses that table (see records.0001 for why the table was kept rather than replaced).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("masterfiles", "0004_payer_phone_e164"),
        ("records", "0001_pending_import"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PendingImport")],
            database_operations=[],
        ),
    ]
