"""The master files' importers: what a CSV import of codes or payers checks and adds.

The pipeline (preview, keep, confirm, their events) is records.imports'; here is only
what differs per kind. Each row is checked with the add page's form (csvio.parse);
codes are "already here" by code, payers by payer ID, or by name when a row has none.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from practicegate.accounts.services import ServiceError
from practicegate.masterfiles import csvio, selectors
from practicegate.masterfiles.kinds import KINDS, PAYER, Kind
from practicegate.records.csvfiles import ParsedFile
from practicegate.records.imports import Importer, register

BATCH = 2000


def insert_rows(kind: Kind, account, rows: list[dict]) -> int:
    """Add `rows` to the account in batches; refuse them all if one clashes with a row added meanwhile."""
    now = timezone.now()
    objs = [
        kind.model(account=account, created_at=now, updated_at=now, active=row.get("active", True),
                   **{f: row[f] for f in kind.fields})
        for row in rows
    ]
    try:
        with transaction.atomic():
            kind.model.objects.bulk_create(objs, batch_size=BATCH)
    except IntegrityError:
        raise ServiceError(
            f"Another {kind.noun} with one of these codes was added meanwhile; "
            "nothing was imported. Please upload the file again."
        ) from None
    return len(objs)


class MasterFileImporter(Importer):
    namespace = "masterfiles"
    help_template = "masterfiles/_import_help.html"

    def __init__(self, kind: Kind):
        self.kind = kind
        self.key = self.action = kind.key
        self.section = kind.section
        self.name_prefix = f"{kind.key}-"
        self.title, self.noun = kind.title, kind.noun
        self.columns, self.required = kind.csv_columns, kind.csv_required

    def parse(self, data: bytes) -> ParsedFile:
        return csvio.parse(self.kind, data)

    def known(self, account):
        names = selectors.payer_names(account) if self.kind is PAYER else set()
        return selectors.existing_keys(account, self.kind), names

    def is_known(self, row: dict, known) -> bool:
        keys, names = known
        key = row.get(self.kind.natural_key, "")
        return key in keys or (self.kind is PAYER and not key and row["name"].casefold() in names)

    def insert(self, *, actor, account, rows: list[dict], context=None) -> dict:
        return {"added": insert_rows(self.kind, account, rows)}


IMPORTERS = {kind.key: register(MasterFileImporter(kind)) for kind in KINDS.values()}
