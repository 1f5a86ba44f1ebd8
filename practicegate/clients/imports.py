"""CSV import and export of clients: services, each one transaction with its events.

Import is the master files' two steps: a preview checks the whole file and keeps it
(masterfiles.pending) only if every row is valid; confirming checks it again and adds
every new client at once: numbers taken as one block from the account's counter, the
clients, one `client.add` event per client and its ClientChange (as the Add Client page
writes them, see bulk.py), and one `client.import` event, all bulk writes in one transaction.
Rows that match a client already in the account (same name and date of birth) are
reported and left alone. Export is a read of PHI: logged through the PHI-read hook
with the row count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from practicegate.audit.models import Outcome
from practicegate.audit.phi import record_phi_read
from practicegate.audit.services import record
from practicegate.clients import bulk, csvio, selectors
from practicegate.clients.bulk import Added
from practicegate.clients.models import Client, ClientCounter, Status
from practicegate.clients.services import DEMOGRAPHIC_FIELDS, _keys
from practicegate.core.errors import ServiceError
from practicegate.masterfiles.pending import pending_read, pending_store, pending_take

SECTION = "clients"
KIND = "clients"  # PendingImport.kind
BATCH = 1000


@dataclass
class Preview:
    refused: str = ""  # the whole file was unusable
    parsed: csvio.ParsedFile | None = None
    new_rows: list = field(default_factory=list)
    existing_rows: list = field(default_factory=list)
    token: str = ""

    @property
    def ok(self) -> bool:
        return not self.refused and self.parsed is not None and not self.parsed.error_count


def split_new(account, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(rows to add, rows matching a client the account has): same name and date of birth."""
    have = set(selectors.clients_of(account).values_list("sort_key", "birth_date"))
    new, existing = [], []
    for row in rows:
        key = csvio.identity(row["first_name"], row["last_name"], row["birth_date"])
        (existing if key in have else new).append(row)
    return new, existing


def _log(action: str, *, actor, account, request, outcome=Outcome.SUCCESS, detail: dict):
    record(action, account=account, actor=actor, request=request, section=SECTION, outcome=outcome,
           target_type="client_import", detail=detail)


def _check(account, data: bytes) -> Preview:
    preview = Preview()
    try:
        preview.parsed = csvio.parse(data)
    except csvio.FileRefused as exc:
        preview.refused = str(exc)
    if preview.parsed is not None:
        preview.new_rows, preview.existing_rows = split_new(account, preview.parsed.rows)
    return preview


def client_import_kept(*, actor, account, token: str) -> Preview | None:
    """The preview of this username's kept file, checked again (it stays kept); None if the
    token is unknown, expired, another username's or another account's. Writes no event:
    the upload wrote the preview's; the page logs its phi.view."""
    data = pending_read(account=account, user=actor, kind=KIND, token=token)
    if data is None:
        return None
    preview = _check(account, data)
    preview.token = str(token)
    return preview


@transaction.atomic
def client_import_preview(*, actor, account, data: bytes, filename: str = "", request=None) -> Preview:
    """Check the whole file; keep it for confirmation only if every row is valid."""
    preview = _check(account, data)
    removed = 0
    if preview.ok and preview.new_rows:
        preview.token, removed = pending_store(account=account, user=actor, kind=KIND, data=data,
                                               filename=filename)
    parsed = preview.parsed
    _log("client.import_preview", actor=actor, account=account, request=request,
         outcome=Outcome.SUCCESS if preview.ok else Outcome.FAILURE,
         detail={"bytes": len(data), "refused": bool(preview.refused),
                 "rows": len(parsed.rows) + parsed.error_count if parsed else 0,
                 "bad_rows": parsed.error_count if parsed else 0,
                 "new": len(preview.new_rows), "existing": len(preview.existing_rows),
                 "previews_removed": removed})
    return preview


@transaction.atomic
def client_import_refused(*, actor, account, reason: str, request=None) -> None:
    """Log an import attempt refused before any row was read (too large, no file, expired)."""
    _log("client.import_preview", actor=actor, account=account, request=request, outcome=Outcome.FAILURE,
         detail={"refused": True, "reason": reason[:200]})


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


@transaction.atomic
def client_import_confirm(*, actor, account, token: str, request=None) -> dict:
    """Import the previewed file: check it again, add every new client in one transaction."""
    data = pending_take(account=account, user=actor, kind=KIND, token=token)
    if data is None:
        raise ServiceError("This preview has expired or was already imported. Upload the file again.")
    try:
        parsed = csvio.parse(data)
    except csvio.FileRefused as exc:  # cannot happen for a kept file, but never trust it
        raise ServiceError(str(exc)) from None
    if parsed.error_count:
        raise ServiceError("The file has errors; nothing was imported.")
    new, existing = split_new(account, parsed.rows)
    now = timezone.now()
    clients = [_client(account, row, number, now) for row, number in zip(new, _take_numbers(account, len(new)),
                                                                          strict=True)]
    Client.objects.bulk_create(clients, batch_size=BATCH)
    bulk.log_added([Added(c, _changes(c), extra={"number": c.number, "imported": True}) for c in clients],
                   actor=actor, account=account, request=request)
    counts = {"rows": len(parsed.rows), "added": len(clients), "existing": len(existing),
              "numbers": [clients[0].number, clients[-1].number] if clients else []}
    _log("client.import", actor=actor, account=account, request=request, detail=counts)
    return counts


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
