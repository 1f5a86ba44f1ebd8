"""CSV import and export of clients.

The import is records.imports' pipeline; ClientImporter says what differs for clients.
Each row is checked with the Add Client page's form (csvio). Rows that match a client
already in the account (same name and date of birth) are reported and left alone.
Confirming adds every new client at once: numbers taken as one block from the account's
counter, the clients, one `client.add` event per client and its ClientChange (as the Add
Client page writes them, see bulk.py), then the pipeline's `client.import` event, all bulk
writes in one transaction. Export is a read of PHI: logged through the PHI-read hook with
the row count.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from practicegate.audit.phi import record_phi_read
from practicegate.clients import bulk, csvio, duplicates, selectors
from practicegate.clients.bulk import Added
from practicegate.clients.models import Client, ClientCounter, Status
from practicegate.clients.services import DEMOGRAPHIC_FIELDS, _keys
from practicegate.records.csvfiles import ParsedFile
from practicegate.records.imports import Importer, register

BATCH = 1000


def _take_numbers(account, count: int) -> range:
    """Take `count` consecutive client numbers under the counter's row lock (never reused)."""
    if not ClientCounter.objects.filter(account=account).exists():
        try:
            with transaction.atomic():
                ClientCounter.objects.create(account=account, next_number=1)
        except IntegrityError:
            pass  # another request created it first
    ClientCounter.objects.filter(account=account).update(next_number=F("next_number") + count)
    after = ClientCounter.objects.filter(account=account).values_list("next_number", flat=True).get()
    return range(after - count, after)


def _client(account, row: dict, number: int, now) -> Client:
    client = Client(account=account, number=number, created_at=now, updated_at=now,
                    status=row["status"], discharge_date=row["discharge_date"],
                    **{f: row[f] for f in DEMOGRAPHIC_FIELDS})
    _keys(client)
    return client


def _changes(client: Client) -> dict:
    """What the Add Client page records: every field given, from nothing to its value."""
    fields = [*DEMOGRAPHIC_FIELDS, "status", "discharge_date"] if client.status == Status.DISCHARGED \
        else DEMOGRAPHIC_FIELDS
    return {f: (None, getattr(client, f)) for f in fields}


class ClientImporter(Importer):
    key = "clients"
    section = "clients"
    action = "client"
    target_type = "client_import"
    namespace = "clients"
    title, noun = "Clients", "client"
    columns, required = csvio.IMPORT_COLUMNS, csvio.REQUIRED
    help_template = "clients/_import_help.html"
    existing_note = " with the same name and date of birth"
    shows_phi = True

    def parse(self, data: bytes) -> ParsedFile:
        return csvio.parse(data)

    def known(self, account) -> set:
        return duplicates.known_identities(account)

    def is_known(self, row: dict, known: set) -> bool:
        """The Add Client page's rule (clients.duplicates): same folded name and date of birth."""
        return duplicates.identity(row["first_name"], row["last_name"], row["birth_date"]) in known

    def insert(self, *, actor, account, rows: list[dict], context=None) -> dict:
        now = timezone.now()
        clients = [_client(account, row, number, now)
                   for row, number in zip(rows, _take_numbers(account, len(rows)), strict=True)]
        Client.objects.bulk_create(clients, batch_size=BATCH)
        bulk.log_added([Added(c, _changes(c), extra={"number": c.number, "imported": True}) for c in clients],
                       actor=actor, account=account, context=context)
        return {"added": len(clients), "numbers": [clients[0].number, clients[-1].number] if clients else []}


CLIENTS = register(ClientImporter())


@transaction.atomic
def client_export(*, account, status: str = "all", request):
    """Log the export as a read of PHI (with its row count); return the clients in number order."""
    rows = selectors.clients_of(account)
    if status in (Status.ACTIVE, Status.DISCHARGED):
        rows = rows.filter(status=status)
    rows = rows.order_by("number")
    record_phi_read(request, target_type="client_export",
                    detail={"rows": rows.count(), "status": status, "format": "csv"})
    return rows
