"""Clients are found by the last digits of a phone number: each phone gets a key.

A client's home, mobile and work phones each get a key column holding the number's digits
last first ("+16175550157" -> "75105557161"), so "ends in 0157" is "key starts with 7510":
a range of one ordinary index, on SQLite and PostgreSQL. A whole number is found the same
way, so the (account, phone) indexes the exact search used are replaced by the
(account, key) ones. Existing clients get their keys here, before the indexes are built;
the services keep them up to date on every save (services._keys).

The key is written out here rather than imported, so this migration keeps doing what it
did if the rule changes later. It runs through the ORM, in batches, on both databases.
"""

from django.db import migrations, models

PHONES = ("home_phone", "mobile_phone", "work_phone")
BATCH = 2000


def phone_key(stored: str) -> str:
    return "".join(ch for ch in stored or "" if "0" <= ch <= "9")[::-1]


def fill_phone_keys(apps, schema_editor):
    # The base manager: a migration runs outside any account scope, and it must see every account.
    clients = apps.get_model("clients", "Client")._base_manager
    batch = []
    for client in clients.only("pk", *PHONES).order_by("pk").iterator(chunk_size=BATCH):
        for phone in PHONES:
            setattr(client, f"{phone}_key", phone_key(getattr(client, phone)))
        batch.append(client)
        if len(batch) == BATCH:
            clients.bulk_update(batch, [f"{phone}_key" for phone in PHONES])
            batch = []
    if batch:
        clients.bulk_update(batch, [f"{phone}_key" for phone in PHONES])



class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_username_key_and_skeleton'),
        ('clients', '0004_client_search'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='client',
            name='client_account_home_phone',
        ),
        migrations.RemoveIndex(
            model_name='client',
            name='client_account_mobile_phone',
        ),
        migrations.RemoveIndex(
            model_name='client',
            name='client_account_work_phone',
        ),
        migrations.AddField(
            model_name='client',
            name='home_phone_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name='client',
            name='mobile_phone_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name='client',
            name='work_phone_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=20),
        ),
        migrations.RunPython(fill_phone_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['account', 'home_phone_key'], name='client_home_phone_key'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['account', 'mobile_phone_key'], name='client_mobile_phone_key'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['account', 'work_phone_key'], name='client_work_phone_key'),
        ),
    ]
