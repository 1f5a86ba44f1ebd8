"""The client list's sort orders: each client's last date of service (kept by the services),
filled here from the services already recorded, and an index per order."""

import datetime

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def fill_last_service(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    ClientService = apps.get_model("clients", "ClientService")
    latest = (ClientService.objects.filter(client=OuterRef("pk"), voided=False).order_by()
              .values("client").annotate(latest=Max("service_date")).values("latest"))
    served = ClientService.objects.filter(voided=False).values("client_id")
    Client.objects.filter(pk__in=served).update(last_service_date=Subquery(latest))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_username_key_and_skeleton'),
        ('clients', '0006_diagnosis_one_open_per_code'),
    ]

    operations = [
        migrations.AddField(
            model_name='client',
            name='last_service_date',
            field=models.DateField(default=datetime.date(1, 1, 1), editable=False),
        ),
        migrations.RunPython(fill_last_service, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['account', 'status', 'number'], name='client_account_status_number'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['account', 'birth_date', 'id'], name='client_account_birth_id'),
        ),
        # (account, birth_date, id) serves a date-of-birth search as well: the older
        # (account, birth_date) index would only tempt the planner into a sort.
        migrations.RemoveIndex(model_name='client', name='client_account_birth'),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['account', 'status', 'birth_date', 'id'], name='client_account_status_birth'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['account', 'last_service_date', 'id'], name='client_account_seen'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['account', 'status', 'last_service_date', 'id'], name='client_account_status_seen'),
        ),
    ]
