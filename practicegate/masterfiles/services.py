"""Changes to the master files. Each service is atomic and writes its activity-log event."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from practicegate.accounts.models import Account
from practicegate.audit.models import Channel, Outcome
from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import account_scope, across_accounts, ensure_in_account
from practicegate.masterfiles import csvio, icd10, selectors
from practicegate.masterfiles.kinds import DIAGNOSIS, PAYER, Kind
from practicegate.masterfiles.models import PendingImport
from practicegate.masterfiles.pending import (
    PENDING_IMPORT_TTL,
    pending_read,
    pending_store,
    pending_take,
)
from practicegate.masterfiles.references import references_to
from practicegate.records.editing import (
    EditConflict,
    current_version,
    save_versioned,
    version_detail,
)

BATCH = 2000


class DuplicateError(ServiceError):
    """Another row of the account already has this code (or payer ID)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _log(action: str, *, actor, account, kind: Kind, request, channel=None, **kw):
    record(action, account=account, actor=actor, request=request, channel=channel,
           section=kind.section, **kw)


def _check_unique(account, kind: Kind, data: dict, exclude_pk=None) -> None:
    key = kind.natural_key
    value = data.get(key, "")
    if not value:
        return
    clash = selectors.masterfiles_of(account, kind).filter(**{key: value})
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        label = "payer ID" if kind is PAYER else "code"
        raise DuplicateError(key, f"This account already has a {kind.noun} with that {label}.")


def _save(kind: Kind, row) -> None:
    try:
        with transaction.atomic():  # a savepoint, so a lost race leaves the outer work usable
            row.save()
    except IntegrityError:
        label = "payer ID" if kind is PAYER else "code"
        raise DuplicateError(kind.natural_key,
                             f"This account already has a {kind.noun} with that {label}.") from None


@transaction.atomic
def masterfile_create(*, actor, account, kind: Kind, data: dict, request=None, channel=None):
    _check_unique(account, kind, data)
    row = kind.model(account=account, **{f: data[f] for f in kind.fields})
    _save(kind, row)
    _log(f"{kind.key}.add", actor=actor, account=account, kind=kind, request=request,
         channel=channel, target=row, detail={"fields": sorted(f for f in kind.fields if data[f])})
    return row


@transaction.atomic
def masterfile_update(*, actor, account, kind: Kind, row, data: dict, expected_version: int, request=None):
    """Save the edit page's values if the row is still at `expected_version`; else EditConflict, nothing saved."""
    ensure_in_account(row, account)  # rows reach services through the account's selectors
    _check_unique(account, kind, data, exclude_pk=row.pk)
    changes = {f: (getattr(row, f), data[f]) for f in kind.fields if getattr(row, f) != data[f]}
    if changes:
        try:
            with transaction.atomic():  # a savepoint, so a lost race leaves the outer work usable
                save_versioned(row, expected_version=expected_version, changes=changes)
        except IntegrityError:
            label = "payer ID" if kind is PAYER else "code"
            raise DuplicateError(kind.natural_key,
                                 f"This account already has a {kind.noun} with that {label}.") from None
    # Nothing differing from the row as it is now overwrites nothing, whatever the version: no write.
    versioned = version_detail(row.version, changes) if changes else {}
    _log(f"{kind.key}.update", actor=actor, account=account, kind=kind, request=request,
         target=row, detail={"fields": sorted(changes), **versioned})
    return row


STATUS = {True: "Active", False: "Inactive"}


@transaction.atomic
def masterfile_set_active(*, actor, account, kind: Kind, row, active: bool, expected_version: int,
                          request=None):
    """(De)activate the row if it is still at `expected_version` (the version goes up); already so: no change."""
    ensure_in_account(row, account)  # rows reach services through the account's selectors
    was = row.active
    if was != active:
        save_versioned(row, expected_version=expected_version, changes={"active": (was, active)})
    verb = "reactivate" if active else "deactivate"
    versioned = version_detail(row.version, {"status": (STATUS[was], STATUS[active])}) if was != active else {}
    _log(f"{kind.key}.{verb}", actor=actor, account=account, kind=kind, request=request,
         target=row, detail={"changed": was != active, **versioned})
    return row


@transaction.atomic
def masterfile_delete(*, actor, account, kind: Kind, row, expected_version: int, request=None) -> None:
    """Delete a row nothing refers to, if it is still at `expected_version`; otherwise refuse."""
    ensure_in_account(row, account)  # rows reach services through the account's selectors
    found = references_to(kind.key, row)
    if found:
        raise ServiceError(f"This {kind.noun} is in use ({', '.join(found)}); deactivate it instead.")
    target_id = row.pk
    # One DELETE ... WHERE version = ...: a row someone changed after the page was opened stays.
    deleted, _ = kind.model._base_manager.filter(pk=row.pk, version=expected_version).delete()
    if not deleted:
        raise EditConflict(expected=expected_version, current=current_version(kind.model, row.pk))
    _log(f"{kind.key}.delete", actor=actor, account=account, kind=kind, request=request,
         target_type=kind.model._meta.label_lower, target_id=target_id)


# --- CSV import and export ---------------------------------------------------------

@dataclass
class Preview:
    kind: Kind
    refused: str = ""  # the whole file was unusable
    parsed: csvio.ParsedFile | None = None
    new_rows: list = field(default_factory=list)
    existing_rows: list = field(default_factory=list)
    token: str = ""

    @property
    def ok(self) -> bool:
        return not self.refused and self.parsed is not None and not self.parsed.error_count


def split_new(account, kind: Kind, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(rows to add, rows the account already has). Existing rows are never changed.

    Codes match by code; payers by payer ID, or by name when the row has no payer ID."""
    keys = selectors.existing_keys(account, kind)
    names = selectors.payer_names(account) if kind is PAYER else set()
    new, existing = [], []
    for row in rows:
        key = row.get(kind.natural_key, "")
        if key in keys or (kind is PAYER and not key and row["name"].casefold() in names):
            existing.append(row)
        else:
            new.append(row)
    return new, existing


def _bulk_insert(kind: Kind, account, rows: list[dict]) -> int:
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


def _check(account, kind: Kind, data: bytes) -> Preview:
    preview = Preview(kind=kind)
    try:
        preview.parsed = csvio.parse(kind, data)
    except csvio.FileRefused as exc:
        preview.refused = str(exc)
    if preview.parsed is not None:
        preview.new_rows, preview.existing_rows = split_new(account, kind, preview.parsed.rows)
    return preview


def masterfile_import_kept(*, actor, account, kind: Kind, token: str) -> Preview | None:
    """The preview of this username's kept file, checked again (it stays kept); None if
    the token is unknown, expired, another username's or another account's. Writes no
    event: the upload wrote the preview's, the page its page view."""
    data = pending_read(account=account, user=actor, kind=kind.key, token=token)
    if data is None:
        return None
    preview = _check(account, kind, data)
    preview.token = str(token)
    return preview


@transaction.atomic
def masterfile_import_preview(*, actor, account, kind: Kind, data: bytes, filename: str = "",
                              request=None) -> Preview:
    """Parse and check the whole file; keep it for confirmation only if every row is valid."""
    preview = _check(account, kind, data)
    removed = 0
    if preview.ok and preview.new_rows:
        # This username's earlier preview is replaced; of the others, only this account's expired ones go.
        preview.token, removed = pending_store(account=account, user=actor, kind=kind.key, data=data,
                                               filename=filename)
    parsed = preview.parsed
    _log(f"{kind.key}.import_preview", actor=actor, account=account, kind=kind, request=request,
         outcome=Outcome.SUCCESS if preview.ok else Outcome.FAILURE,
         detail={"bytes": len(data), "refused": bool(preview.refused),
                 "rows": len(parsed.rows) + parsed.error_count if parsed else 0,
                 "bad_rows": parsed.error_count if parsed else 0,
                 "new": len(preview.new_rows), "existing": len(preview.existing_rows),
                 "previews_removed": removed})
    return preview


@transaction.atomic
def masterfile_import_confirm(*, actor, account, kind: Kind, token: str, request=None) -> dict:
    """Import the previewed file: parse it again, add the new rows in one transaction."""
    data = pending_take(account=account, user=actor, kind=kind.key, token=token)
    if data is None:
        raise ServiceError("This preview has expired or was already imported. Upload the file again.")
    try:
        parsed = csvio.parse(kind, data)
    except csvio.FileRefused as exc:  # cannot happen for a stored file, but never trust it
        raise ServiceError(str(exc)) from None
    if parsed.error_count:
        raise ServiceError("The file has errors; nothing was imported.")
    new, existing = split_new(account, kind, parsed.rows)
    added = _bulk_insert(kind, account, new)
    counts = {"rows": len(parsed.rows), "added": added, "existing": len(existing)}
    _log(f"{kind.key}.import", actor=actor, account=account, kind=kind, request=request,
         detail=counts)
    return counts


@transaction.atomic
def masterfile_export(*, actor, account, kind: Kind, request=None):
    """Log the export and return the rows to stream, in code (or name) order."""
    rows = selectors.masterfiles_of(account, kind).order_by(*kind.order)
    _log(f"{kind.key}.export", actor=actor, account=account, kind=kind, request=request,
         detail={"rows": rows.count()})
    return rows.iterator(chunk_size=2000)


@transaction.atomic
def icd10_import(*, actor, account, preset: str, request=None, channel=None,
                 actor_username=None) -> dict:
    """Add the preset's billable ICD-10-CM codes the account lacks; change nothing else."""
    if preset not in icd10.PRESETS:
        raise ServiceError("Choose one of the offered code sets.")
    offered = icd10.preset_codes(preset)
    have = selectors.existing_keys(account, DIAGNOSIS)
    missing = [{"code": c, "description": d} for c, d in offered if c not in have]
    added = _bulk_insert(DIAGNOSIS, account, missing)
    counts = {"preset": preset, "offered": len(offered), "added": added,
              "existing": len(offered) - added}
    record("diagnosis.import_icd10", account=account, actor=actor, request=request,
           channel=channel, actor_username=actor_username, section=DIAGNOSIS.section,
           detail=counts)
    return counts


def pending_imports_purge(*, channel=Channel.CLI) -> int:
    """Delete every expired CSV preview, one transaction and one event per account (for a timer)."""
    cutoff = timezone.now() - PENDING_IMPORT_TTL
    with across_accounts():  # the one place previews of all accounts are looked at together
        account_ids = sorted(set(PendingImport.objects.filter(created_at__lt=cutoff)
                                 .values_list("account_id", flat=True)))
    total = 0
    for account in Account.objects.filter(pk__in=account_ids).order_by("pk"):
        with account_scope(account), transaction.atomic():
            expired = PendingImport.objects.filter(account=account, created_at__lt=cutoff)
            per_kind = dict(Counter(expired.values_list("kind", flat=True)))
            expired.delete()
            if per_kind:
                record("masterfiles.import_previews_purge", account=account, channel=channel,
                       target_type="masterfiles.pendingimport", detail=dict(sorted(per_kind.items())))
            total += sum(per_kind.values())
    return total


@transaction.atomic
def masterfile_import_refused(*, actor, account, kind: Kind, reason: str, request=None) -> None:
    """Log an import attempt refused before any row was read (too large, expired preview)."""
    _log(f"{kind.key}.import_preview", actor=actor, account=account, kind=kind, request=request,
         outcome=Outcome.FAILURE, detail={"refused": True, "reason": reason[:200]})
