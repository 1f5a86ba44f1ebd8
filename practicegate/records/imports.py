"""The CSV import pipeline, once for every kind of record.

An import has two steps. The preview checks the whole file and keeps it (records.pending)
only if every row is valid; confirming takes it, checks it again and adds every new row in
one transaction. Rows the account already has are reported and left alone. What differs
per kind (the columns, the row check, what "already here" means, how rows are added, the
names its events carry) is an Importer; everything else is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from practicegate.accounts.services import ServiceError
from practicegate.audit.models import Outcome
from practicegate.audit.services import record
from practicegate.records.csvfiles import FileRefused, ParsedFile
from practicegate.records.pending import pending_read, pending_store, pending_take


class Importer:
    """What one kind of record brings to the import pipeline.

    The activity log names its events `<action>.import_preview` and `<action>.import`,
    in `section`, with `target_type` when it is set. The pages are routed as
    `<namespace>:<name_prefix>import` (and `-preview`, `-confirm`) and `-list`."""

    key: str  # the kind in the URL and in PendingImport.kind
    section: str
    action: str
    target_type: str = ""
    namespace: str
    name_prefix: str = ""
    title: str  # "Clients", "Payers"
    noun: str  # "client", "payer"
    columns: tuple[str, ...]
    required: tuple[str, ...]
    help_template: str  # the upload form's note on columns and values
    existing_note: str = ""  # what makes a row "already in this account", if worth saying
    shows_phi: bool = False  # the kept preview page is then logged as a read of PHI

    def parse(self, data: bytes) -> ParsedFile:
        """Check every row of `data`; raise FileRefused if the file itself is unusable."""
        raise NotImplementedError

    def known(self, account):
        """What the account already has, in the form `is_known` compares rows with."""
        raise NotImplementedError

    def is_known(self, row: dict, known) -> bool:
        raise NotImplementedError

    def insert(self, *, actor, account, rows: list[dict], context=None) -> dict:
        """Add `rows` (all new); return the counts for the import event, "added" first."""
        raise NotImplementedError

    def done_message(self, counts: dict) -> str:
        added = counts["added"]
        return (f"Imported {added} new {self.noun}{'s' if added != 1 else ''}; "
                f"{counts['existing']} were already here and were left unchanged.")

    def url_name(self, name: str) -> str:
        return f"{self.namespace}:{self.name_prefix}{name}"


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Make `importer` reachable by its key (the import pages look it up there)."""
    IMPORTERS[importer.key] = importer
    return importer


@dataclass
class Preview:
    importer: Importer
    refused: str = ""  # the whole file was unusable
    parsed: ParsedFile | None = None
    new_rows: list = field(default_factory=list)
    existing_rows: list = field(default_factory=list)
    token: str = ""

    @property
    def ok(self) -> bool:
        return not self.refused and self.parsed is not None and not self.parsed.error_count


def split_new(account, importer: Importer, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(rows to add, rows the account already has). Existing rows are never changed."""
    known = importer.known(account)
    new, existing = [], []
    for row in rows:
        (existing if importer.is_known(row, known) else new).append(row)
    return new, existing


def _log(action: str, *, importer: Importer, actor, account, context, outcome=Outcome.SUCCESS,
         detail: dict) -> None:
    record(f"{importer.action}.{action}", account=account, actor=actor, context=context,
           section=importer.section, target_type=importer.target_type, outcome=outcome, detail=detail)


def check(account, importer: Importer, data: bytes) -> Preview:
    """Read and check the whole file and tell new rows from existing ones; write nothing."""
    preview = Preview(importer=importer)
    try:
        preview.parsed = importer.parse(data)
    except FileRefused as exc:
        preview.refused = str(exc)
    if preview.parsed is not None:
        preview.new_rows, preview.existing_rows = split_new(account, importer, preview.parsed.rows)
    return preview


def import_kept(*, actor, account, importer: Importer, token: str) -> Preview | None:
    """The preview of this username's kept file, checked again (it stays kept); None if the
    token is unknown, expired, another username's or another account's. Writes no event:
    the upload wrote the preview's, the page its own view."""
    data = pending_read(account=account, user=actor, kind=importer.key, token=token)
    if data is None:
        return None
    preview = check(account, importer, data)
    preview.token = str(token)
    return preview


@transaction.atomic
def import_preview(*, actor, account, importer: Importer, data: bytes, filename: str = "",
                   context=None) -> Preview:
    """Check the whole file; keep it for confirmation only if every row is valid and one is new."""
    preview = check(account, importer, data)
    removed = 0
    if preview.ok and preview.new_rows:
        # This username's earlier preview is replaced; of the others, only this account's expired ones go.
        preview.token, removed = pending_store(account=account, user=actor, kind=importer.key, data=data,
                                               filename=filename)
    parsed = preview.parsed
    _log("import_preview", importer=importer, actor=actor, account=account, context=context,
         outcome=Outcome.SUCCESS if preview.ok else Outcome.FAILURE,
         detail={"bytes": len(data), "refused": bool(preview.refused),
                 "rows": len(parsed.rows) + parsed.error_count if parsed else 0,
                 "bad_rows": parsed.error_count if parsed else 0,
                 "new": len(preview.new_rows), "existing": len(preview.existing_rows),
                 "previews_removed": removed})
    return preview


@transaction.atomic
def import_refused(*, actor, account, importer: Importer, reason: str, context=None) -> None:
    """Log an import attempt refused before any row was read (too large, no file, expired)."""
    _log("import_preview", importer=importer, actor=actor, account=account, context=context,
         outcome=Outcome.FAILURE, detail={"refused": True, "reason": reason[:200]})


@transaction.atomic
def import_confirm(*, actor, account, importer: Importer, token: str, context=None) -> dict:
    """Import the previewed file: check it again, add every new row in one transaction."""
    data = pending_take(account=account, user=actor, kind=importer.key, token=token)
    if data is None:
        raise ServiceError("This preview has expired or was already imported. Upload the file again.")
    try:
        parsed = importer.parse(data)
    except FileRefused as exc:  # cannot happen for a kept file, but never trust it
        raise ServiceError(str(exc)) from None
    if parsed.error_count:
        raise ServiceError("The file has errors; nothing was imported.")
    new, existing = split_new(account, importer, parsed.rows)
    inserted = importer.insert(actor=actor, account=account, rows=new, context=context)
    counts = {"rows": len(parsed.rows), "added": inserted.pop("added"), "existing": len(existing), **inserted}
    _log("import", importer=importer, actor=actor, account=account, context=context, detail=counts)
    return counts
