"""Writes of the Billing section: billing settings and clearinghouses. Each is one transaction
that also writes its activity-log event. Claims are in claims.py."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from practicegate.audit.services import record
from practicegate.billing.identifiers import masked_tax_id
from practicegate.billing.models import BillingSettings, Clearinghouse
from practicegate.core.scoping import ensure_in_account
from practicegate.records.editing import merge_edit, note_merge, save_versioned, version_detail

SECTION = "billing"
SETTINGS_FIELDS = (
    "provider_kind", "name", "first_name", "npi", "taxonomy", "tax_id_kind", "address1", "address2", "city",
    "state", "zip_code", "phone", "pay_to_address1", "pay_to_address2", "pay_to_city", "pay_to_state",
    "pay_to_zip_code", "place_of_service", "rendering_last_name", "rendering_first_name", "rendering_npi",
    "rendering_taxonomy",
)
CLEARINGHOUSE_FIELDS = ("name", "receiver_id", "submitter_id", "submitter_name", "contact_name", "contact_phone",
                        "contact_email", "usage")


def settings_of(account) -> BillingSettings:
    """The account's billing settings; an unsaved row with the defaults when none are saved."""
    return BillingSettings.objects.filter(account=account).first() or BillingSettings(account=account)


def _settings_row(account) -> BillingSettings:
    """The saved row, made (at version 1, empty) the first time settings are saved."""
    row = BillingSettings.objects.filter(account=account).first()
    if row is None:
        try:
            with transaction.atomic():
                row = BillingSettings.objects.create(account=account)
        except IntegrityError:  # made by a save at the same moment
            row = BillingSettings.objects.get(account=account)
    return row


@transaction.atomic
def settings_update(*, actor, account, data: dict, expected_version: int, new_tax_id: str = "", context=None):
    """Save the settings form (merged with saves made since `expected_version`, as every edit).

    The tax ID is never put back into a form: it changes only when a new one is typed
    (`new_tax_id`), and the log names it by its last four digits."""
    row = _settings_row(account)
    # A page loaded before the first save carries version 1: the empty row made here.
    merge = merge_edit(account, row, expected_version=expected_version, mine=data, fields=SETTINGS_FIELDS)
    changes = dict(merge.changes)
    if new_tax_id and new_tax_id != row.tax_id:
        changes["tax_id"] = (row.tax_id, new_tax_id)
    if changes:
        save_versioned(row, expected_version=merge.version, changes=changes)
    note_merge(merge, actor=actor, account=account, section=SECTION, context=context, row=row)
    logged = {k: ((masked_tax_id(a), masked_tax_id(b)) if k == "tax_id" else (a, b)) for k, (a, b) in changes.items()}
    record("billing.settings_update", account=account, actor=actor, context=context, section=SECTION,
           target=row, detail={"fields": sorted(changes), **(version_detail(row.version, logged) if changes else {})})
    return row


@transaction.atomic
def clearinghouse_create(*, actor, account, data: dict, context=None) -> Clearinghouse:
    row = Clearinghouse(account=account, **{f: data[f] for f in CLEARINGHOUSE_FIELDS})
    row.save(force_insert=True)
    record("clearinghouse.add", account=account, actor=actor, context=context, section=SECTION, target=row,
           detail={"fields": sorted(f for f in CLEARINGHOUSE_FIELDS if data[f])})
    return row


@transaction.atomic
def clearinghouse_update(*, actor, account, row: Clearinghouse, data: dict, expected_version: int, context=None):
    ensure_in_account(row, account)
    merge = merge_edit(account, row, expected_version=expected_version, mine=data, fields=CLEARINGHOUSE_FIELDS)
    if merge.changes:
        save_versioned(row, expected_version=merge.version, changes=merge.changes)
    note_merge(merge, actor=actor, account=account, section=SECTION, context=context, row=row)
    record("clearinghouse.update", account=account, actor=actor, context=context, section=SECTION, target=row,
           detail={"fields": sorted(merge.changes),
                   **(version_detail(row.version, merge.changes) if merge.changes else {})})
    return row


@transaction.atomic
def clearinghouse_set_active(*, actor, account, row: Clearinghouse, active: bool, expected_version: int,
                             context=None):
    """(De)activate the clearinghouse if it is still at `expected_version`; already so: no change."""
    ensure_in_account(row, account)
    was = row.active
    status = {True: "Active", False: "Inactive"}
    if was != active:
        save_versioned(row, expected_version=expected_version, changes={"active": (was, active)})
    record(f"clearinghouse.{'reactivate' if active else 'deactivate'}", account=account, actor=actor,
           context=context, section=SECTION, target=row,
           detail={"changed": was != active,
                   **(version_detail(row.version, {"status": (status[was], status[active])}) if was != active else {})})
    return row
