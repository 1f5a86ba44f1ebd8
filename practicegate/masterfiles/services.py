"""Changes to the master files. Each service is atomic and writes its activity-log event."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from practicegate.audit.services import record
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import ensure_in_account
from practicegate.masterfiles import icd10, selectors
from practicegate.masterfiles.importers import insert_rows
from practicegate.masterfiles.kinds import DIAGNOSIS, PAYER, Kind
from practicegate.masterfiles.references import references_to
from practicegate.records.editing import (
    EditConflict,
    current_version,
    merge_edit,
    note_merge,
    save_versioned,
    version_detail,
)


class DuplicateError(ServiceError):
    """Another row of the account already has this code (or payer ID)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _log(action: str, *, actor, account, kind: Kind, context, channel=None, **kw):
    record(action, account=account, actor=actor, context=context, channel=channel,
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
def masterfile_create(*, actor, account, kind: Kind, data: dict, context=None, channel=None):
    _check_unique(account, kind, data)
    # A field the caller leaves out (one added to the form later) keeps the model's default.
    row = kind.model(account=account, **{f: data[f] for f in kind.fields if f in data})
    _save(kind, row)
    _log(f"{kind.key}.add", actor=actor, account=account, kind=kind, context=context,
         channel=channel, target=row, detail={"fields": sorted(f for f in kind.fields if data.get(f))})
    return row


@transaction.atomic
def masterfile_update(*, actor, account, kind: Kind, row, data: dict, expected_version: int, context=None):
    """Save the fields the edit page changed since `expected_version`, merged with what others saved
    since (records.editing.merge_edit); MergeConflict, nothing saved, when both changed a field."""
    ensure_in_account(row, account)  # rows reach services through the account's selectors
    merge = merge_edit(account, row, expected_version=expected_version, mine=data, fields=kind.fields)
    changes = merge.changes
    _check_unique(account, kind, {f: new for f, (_, new) in changes.items()}, exclude_pk=row.pk)
    if changes:
        try:
            with transaction.atomic():  # a savepoint, so a lost race leaves the outer work usable
                save_versioned(row, expected_version=merge.version, changes=changes)
        except IntegrityError:
            label = "payer ID" if kind is PAYER else "code"
            raise DuplicateError(kind.natural_key,
                                 f"This account already has a {kind.noun} with that {label}.") from None
    # Nothing this user changed overwrites nothing, whatever the version: no write.
    note_merge(merge, actor=actor, account=account, section=kind.section, context=context, row=row)
    versioned = version_detail(row.version, changes) if changes else {}
    _log(f"{kind.key}.update", actor=actor, account=account, kind=kind, context=context,
         target=row, detail={"fields": sorted(changes), **versioned})
    return row


STATUS = {True: "Active", False: "Inactive"}


@transaction.atomic
def masterfile_set_active(*, actor, account, kind: Kind, row, active: bool, expected_version: int,
                          context=None):
    """(De)activate the row if it is still at `expected_version` (the version goes up); already so: no change."""
    ensure_in_account(row, account)  # rows reach services through the account's selectors
    was = row.active
    if was != active:
        save_versioned(row, expected_version=expected_version, changes={"active": (was, active)})
    verb = "reactivate" if active else "deactivate"
    versioned = version_detail(row.version, {"status": (STATUS[was], STATUS[active])}) if was != active else {}
    _log(f"{kind.key}.{verb}", actor=actor, account=account, kind=kind, context=context,
         target=row, detail={"changed": was != active, **versioned})
    return row


@transaction.atomic
def masterfile_delete(*, actor, account, kind: Kind, row, expected_version: int, context=None) -> None:
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
    _log(f"{kind.key}.delete", actor=actor, account=account, kind=kind, context=context,
         target_type=kind.model._meta.label_lower, target_id=target_id)


# --- CSV export and the ICD-10-CM code sets ----------------------------------------

@transaction.atomic
def masterfile_export(*, actor, account, kind: Kind, context=None):
    """Log the export and return the rows to stream, in code (or name) order."""
    rows = selectors.masterfiles_of(account, kind).order_by(*kind.order)
    _log(f"{kind.key}.export", actor=actor, account=account, kind=kind, context=context,
         detail={"rows": rows.count()})
    return rows.iterator(chunk_size=2000)


@transaction.atomic
def icd10_import(*, actor, account, preset: str, context=None, channel=None,
                 actor_username=None) -> dict:
    """Add the preset's billable ICD-10-CM codes the account lacks; change nothing else."""
    if preset not in icd10.PRESETS:
        raise ServiceError("Choose one of the offered code sets.")
    offered = icd10.preset_codes(preset)
    have = selectors.existing_keys(account, DIAGNOSIS)
    missing = [{"code": c, "description": d} for c, d in offered if c not in have]
    added = insert_rows(DIAGNOSIS, account, missing)
    counts = {"preset": preset, "offered": len(offered), "added": added,
              "existing": len(offered) - added}
    record("diagnosis.import_icd10", account=account, actor=actor, context=context,
           channel=channel, actor_username=actor_username, section=DIAGNOSIS.section,
           detail=counts)
    return counts
