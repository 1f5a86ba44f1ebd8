"""Writes of the Clients section: each one transaction that also writes its activity-log event.

Every change records, in the same transaction, one event naming the client (target
"client", the client's id) with the names of the fields changed and a SHA-256 of their
before and after values, and one ClientChange row holding those values. The log's detail
never holds a PHI value; the values stay with the client's record, behind the Clients
section's access (see docs/clients.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from practicegate.audit.services import record
from practicegate.clients import duplicates, selectors
from practicegate.clients.changelog import change_detail, change_row
from practicegate.clients.models import (
    NO_SERVICE,
    Client,
    ClientCounter,
    ClientDiagnosis,
    ClientPolicy,
    ClientService,
    Priority,
    Status,
)
from practicegate.core import text
from practicegate.core.errors import ServiceError
from practicegate.core.localtime import day_text
from practicegate.core.scoping import NotInAccount, ensure_in_account
from practicegate.records.editing import EditConflict, merge_edit, note_merge, save_versioned

SECTION = "clients"
DEMOGRAPHIC_FIELDS = (
    "first_name", "middle_name", "last_name", "preferred_name", "birth_date", "sex", "gender_identity",
    "address1", "address2", "city", "state", "zip_code", "home_phone", "mobile_phone", "work_phone",
    "email", "emergency_name", "emergency_relationship", "emergency_phone", "intake_date",
)
POLICY_FIELDS = ("priority", "member_id", "group_number", "subscriber", "subscriber_name",
                 "subscriber_birth_date", "relationship", "effective_date", "end_date")
POINTERS = ("diagnosis1", "diagnosis2", "diagnosis3", "diagnosis4")
PHONE_FIELDS = ("home_phone", "mobile_phone", "work_phone")  # the client's own, searched by their digits
# Derived from the demographics on every save (_keys), for the list's order and its searches.
KEY_FIELDS = ("search_key", "sort_key", *(f"{phone}_key" for phone in PHONE_FIELDS))

PossibleDuplicate = duplicates.PossibleDuplicate

__all__ = ["EditConflict", "FieldError", "PossibleDuplicate", "ServiceError"]


class FieldError(ServiceError):
    """A rule about one field of the form refused the change (shown beside that field)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


# --- The record of a change ---------------------------------------------------------

def _log(action: str, *, actor, account, client, changes: dict, version: int | None, line: str = "",
         line_obj=None, context=None, channel=None, extra: dict | None = None):
    """Write the change's event (field names, a digest of the values) and its ClientChange."""
    detail, values = change_detail(changes, version=version, line=line, line_obj=line_obj, extra=extra)
    event = record(action, account=account, actor=actor, context=context, channel=channel,
                   section=SECTION, target_type="client", target_id=client.pk, detail=detail)
    if values:
        change_row(event, account=account, client=client, values=values, version=version, line=line,
                   line_obj=line_obj).save(force_insert=True)
    return event


def _merged(row, changes: dict) -> dict:
    """The row's values with `changes` applied: what the rules about the whole row check."""
    return {name: changes[name][1] if name in changes else value for name, value in vars(row).items()}


def _keys(client: Client) -> None:
    client.search_key = text.fold(" ".join(
        p for p in (client.first_name, client.last_name, client.preferred_name) if p))[:320]
    client.sort_key = text.fold(f"{client.last_name} {client.first_name}")[:210]
    for phone in PHONE_FIELDS:
        setattr(client, f"{phone}_key", text.phone_key(getattr(client, phone)))


def _next_number(account) -> int:
    """Take the account's next client number; the UPDATE holds the counter's row lock until
    commit, so two clients added at once get two numbers and none is ever handed out twice."""
    if not ClientCounter.objects.filter(account=account).exists():
        try:
            with transaction.atomic():
                ClientCounter.objects.create(account=account, next_number=1)
        except IntegrityError:
            pass  # another request created it first
    ClientCounter.objects.filter(account=account).update(next_number=F("next_number") + 1)
    return ClientCounter.objects.filter(account=account).values_list("next_number", flat=True).get() - 1


def _lock(client: Client) -> None:
    """Serialize changes to one client's lines (PostgreSQL row lock; SQLite locks the file)."""
    Client.objects.select_for_update().filter(pk=client.pk).values_list("pk").first()


def refresh_last_service(account, client_ids) -> None:
    """Set Client.last_service_date of these clients of the account from their services that
    are not voided (NO_SERVICE when none): after any write that adds, moves, re-dates or voids
    a service. Not a change of the client: no version, no event of its own (the service's
    event says what happened)."""
    latest = (ClientService.objects.filter(account=account, client=OuterRef("pk"), voided=False)
              .order_by("-service_date").values("service_date")[:1])
    Client.objects.filter(account=account, pk__in=list(client_ids)).update(
        last_service_date=Coalesce(Subquery(latest), Value(NO_SERVICE)))


# --- Clients ---------------------------------------------------------------------------

@transaction.atomic
def client_create(*, actor, account, data: dict, different_from=(), context=None, channel=None) -> Client:
    """Add a client with the next client number of the account.

    PossibleDuplicate (nothing saved) when a client of the account has the same folded name
    and date of birth, unless the user confirmed this is a different person from each of them
    (`different_from`: their client numbers); that confirmation is logged with the addition."""
    client = Client(account=account, **{f: data[f] for f in DEMOGRAPHIC_FIELDS if f in data})
    if client.intake_date is None:
        client.intake_date = timezone.localdate()
    _keys(client)
    client.number = _next_number(account)  # holds the counter's lock: the check below sees every commit
    matches = duplicates.check(account, first_name=client.first_name, last_name=client.last_name,
                               birth_date=client.birth_date, different_from=different_from)
    client.save()
    changes = {f: (None, getattr(client, f)) for f in DEMOGRAPHIC_FIELDS if getattr(client, f) not in ("", None)}
    _log("client.add", actor=actor, account=account, client=client, changes=changes, version=client.version,
         context=context, channel=channel)
    _log_different_person(matches, actor=actor, account=account, client=client, context=context, channel=channel)
    return client


def _log_different_person(matches: list[Client], *, actor, account, client, context=None, channel=None) -> None:
    """Log that the user said `client` is not the person of `matches` (their numbers; no names)."""
    if matches:
        record("client.duplicate_confirmed", account=account, actor=actor, context=context, channel=channel,
               section=SECTION, target_type="client", target_id=client.pk,
               detail={"number": client.number, "different_from": duplicates.numbers(matches)})


def _check_identity(account, client: Client, changes: dict, different_from) -> list[Client]:
    """After an edit of the name or date of birth: the duplicate check of client_create."""
    after = _merged(client, changes)
    before = duplicates.identity(client.first_name, client.last_name, client.birth_date)
    if duplicates.identity(after["first_name"], after["last_name"], after["birth_date"]) == before:
        return []  # an edit that leaves who the client is alone is never asked again
    duplicates.lock_identities(account)
    return duplicates.check(account, first_name=after["first_name"], last_name=after["last_name"],
                            birth_date=after["birth_date"], different_from=different_from, exclude_pk=client.pk)


@transaction.atomic
def client_update(*, actor, account, client: Client, data: dict, expected_version: int, different_from=(),
                  context=None) -> Client:
    """Save the demographics this user changed since `expected_version`, merged with what others
    saved since (records.editing.merge_edit); MergeConflict when both changed a field.
    PossibleDuplicate when the merged name or date of birth changed to another client's (see client_create)."""
    ensure_in_account(client, account)
    merge = merge_edit(account, client, expected_version=expected_version, mine=data, fields=DEMOGRAPHIC_FIELDS)
    changes = merge.changes
    matches = _check_identity(account, client, changes, different_from)
    if changes:
        save_versioned(client, expected_version=merge.version, changes=changes, also=KEY_FIELDS,
                       derive=_keys)
    note_merge(merge, actor=actor, account=account, section=SECTION, row=client, context=context)
    _log("client.update", actor=actor, account=account, client=client, changes=changes,
         version=client.version if changes else None, context=context)
    _log_different_person(matches, actor=actor, account=account, client=client, context=context)
    return client


@transaction.atomic
def client_discharge(*, actor, account, client: Client, discharge_date, expected_version: int, context=None):
    ensure_in_account(client, account)
    if client.status == Status.DISCHARGED:
        raise ServiceError("This client is already discharged.")
    if discharge_date < client.intake_date:
        raise FieldError("discharge_date", "The discharge date is before the intake date.")
    changes = {"status": (client.status, Status.DISCHARGED), "discharge_date": (None, discharge_date)}
    save_versioned(client, expected_version=expected_version, changes=changes)
    _log("client.discharge", actor=actor, account=account, client=client, changes=changes,
         version=client.version, context=context)
    return client


@transaction.atomic
def client_readmit(*, actor, account, client: Client, intake_date, expected_version: int, context=None):
    """Make a discharged client active again, from a new intake date."""
    ensure_in_account(client, account)
    if client.status == Status.ACTIVE:
        raise ServiceError("This client is already active.")
    if client.discharge_date and intake_date < client.discharge_date:
        raise FieldError("intake_date", "The new intake date is before the discharge date.")
    changes = {"status": (client.status, Status.ACTIVE), "discharge_date": (client.discharge_date, None),
               "intake_date": (client.intake_date, intake_date)}
    save_versioned(client, expected_version=expected_version, changes=changes)
    _log("client.readmit", actor=actor, account=account, client=client, changes=changes,
         version=client.version, context=context)
    return client


# --- Lines: shared steps -------------------------------------------------------------

def _check_line(account, client, line) -> None:
    ensure_in_account(client, account)
    ensure_in_account(line, account)
    if line.client_id != client.pk:
        raise NotInAccount("No such line for this client")
    if line.voided:
        raise ServiceError("This line is voided; it can no longer change.")


def _void(kind: str, *, actor, account, client, line, reason: str, expected_version: int, context=None):
    _check_line(account, client, line)
    changes = {"voided": (False, True), "void_reason": ("", reason)}
    line.voided_at = timezone.now()
    save_versioned(line, expected_version=expected_version, changes=changes, also=("voided_at",))
    _log(f"client.{kind}_void", actor=actor, account=account, client=client, line=kind, line_obj=line,
         changes=changes, version=line.version, context=context)
    return line


def _end(kind: str, *, actor, account, client, line, end_date, start, expected_version: int, context=None):
    _check_line(account, client, line)
    if end_date < start:
        raise FieldError("end_date", "The end date is before the start date.")
    changes = {"end_date": (line.end_date, end_date)}
    save_versioned(line, expected_version=expected_version, changes=changes)
    _log(f"client.{kind}_end", actor=actor, account=account, client=client, line=kind, line_obj=line,
         changes=changes, version=line.version, context=context)
    return line


# --- Diagnoses -------------------------------------------------------------------------

def _check_primary(account, client, *, is_primary: bool, end_date, exclude_pk=None) -> None:
    if not is_primary or end_date is not None:
        return
    others = ClientDiagnosis.objects.filter(account=account, client=client, is_primary=True, voided=False,
                                            end_date__isnull=True).select_related("code")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    other = others.first()
    if other is not None:
        raise FieldError("is_primary", f"{other.code.display_code} is already this client's primary diagnosis: "
                                       "clear or end it first.")


def _check_same_code(account, client, *, code, start, end, exclude_pk=None, field: str = "code") -> None:
    """One code is on a client's record once at a time: no two lines of it (not voided) whose dates overlap
    (a line with no end date runs on)."""
    others = ClientDiagnosis.objects.filter(account=account, client=client, code=code, voided=False).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start))
    if end is not None:
        others = others.filter(start_date__lte=end)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    other = others.order_by("start_date", "id").first()
    if other is not None:
        until = f"to {day_text(other.end_date)}" if other.end_date else "with no end date"
        instead = ("edit or end that line instead of adding the code again" if exclude_pk is None
                   else "these dates would overlap that line")
        raise FieldError(field, f"{code.display_code} is already on this client's record from "
                                f"{day_text(other.start_date)} {until}: {instead}.")


def _save_diagnosis(line, *, field: str, save) -> None:
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
            save()
    except IntegrityError:
        raise FieldError(field, f"{line.code.display_code} is already open on this client's record: "
                                "end that line first.") from None


@transaction.atomic
def client_diagnosis_add(*, actor, account, client, code, is_primary: bool, start_date, end_date=None,
                         context=None, channel=None) -> ClientDiagnosis:
    ensure_in_account(client, account)
    ensure_in_account(code, account)
    if not code.active:
        raise FieldError("code", "This diagnosis code is inactive; reactivate it under Diagnosis Codes first.")
    _lock(client)
    _check_primary(account, client, is_primary=is_primary, end_date=end_date)
    _check_same_code(account, client, code=code, start=start_date, end=end_date)
    line = ClientDiagnosis(account=account, client=client, code=code, is_primary=is_primary,
                           start_date=start_date, end_date=end_date)
    _save_diagnosis(line, field="code", save=lambda: line.save(force_insert=True))
    changes = {"code": (None, code.display_code), "is_primary": (None, is_primary),
               "start_date": (None, start_date), "end_date": (None, end_date)}
    _log("client.diagnosis_add", actor=actor, account=account, client=client, line="diagnosis", line_obj=line,
         changes={k: v for k, v in changes.items() if v[1] is not None}, version=line.version,
         context=context, channel=channel)
    return line


@transaction.atomic
def client_diagnosis_update(*, actor, account, client, line, data: dict, expected_version: int, context=None):
    _check_line(account, client, line)
    _lock(client)
    merge = merge_edit(account, line, expected_version=expected_version, mine=data,
                       fields=("is_primary", "start_date", "end_date"))
    changes = merge.changes
    if changes:
        merged = _merged(line, changes)
        _check_primary(account, client, is_primary=merged["is_primary"], end_date=merged["end_date"],
                       exclude_pk=line.pk)
        field = "start_date" if "start_date" in changes else "end_date"
        _check_same_code(account, client, code=line.code, start=merged["start_date"], end=merged["end_date"],
                         exclude_pk=line.pk, field=field)
        _save_diagnosis(line, field=field,
                        save=lambda: save_versioned(line, expected_version=merge.version, changes=changes))
    note_merge(merge, actor=actor, account=account, section=SECTION, row=line, context=context)
    _log("client.diagnosis_update", actor=actor, account=account, client=client, line="diagnosis",
         line_obj=line, changes=changes, version=line.version if changes else None, context=context)
    return line


@transaction.atomic
def client_diagnosis_end(*, actor, account, client, line, end_date, expected_version: int, context=None):
    return _end("diagnosis", actor=actor, account=account, client=client, line=line, end_date=end_date,
                start=line.start_date, expected_version=expected_version, context=context)


@transaction.atomic
def client_diagnosis_void(*, actor, account, client, line, reason: str, expected_version: int, context=None):
    used = ClientService.objects.filter(account=account, client=client, voided=False).filter(
        Q(diagnosis1=line) | Q(diagnosis2=line) | Q(diagnosis3=line) | Q(diagnosis4=line)).count()
    if used:
        raise ServiceError(f"{used} service{'s' if used != 1 else ''} point to this diagnosis: "
                           "change or void them first.")
    return _void("diagnosis", actor=actor, account=account, client=client, line=line, reason=reason,
                 expected_version=expected_version, context=context)


# --- Insurance policies ----------------------------------------------------------------

def _check_priority(account, client, *, priority: int, start, end, exclude_pk=None) -> None:
    """At most one policy of each priority at a time: no two date ranges may overlap."""
    others = selectors.open_policies(account, client, priority).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start))
    if end is not None:
        others = others.filter(effective_date__lte=end)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    other = others.select_related("payer").first()
    if other is not None:
        until = f"to {day_text(other.end_date)}" if other.end_date else "with no end date"
        raise FieldError("priority", f"This client already has a {Priority(priority).label.lower()} policy "
                                     f"({other.payer.name}, from {day_text(other.effective_date)} {until}) in "
                                     "those dates: end it first, or choose another priority.")


def _save_policy(line) -> None:
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
            line.save()
    except IntegrityError:
        raise FieldError("priority", "This client already has an open policy of this priority: end it first.") from None


@transaction.atomic
def client_policy_add(*, actor, account, client, payer, data: dict, context=None, channel=None) -> ClientPolicy:
    ensure_in_account(client, account)
    ensure_in_account(payer, account)
    if not payer.active:
        raise FieldError("payer", "This payer is inactive; reactivate it under Insurance Payers first.")
    _lock(client)
    _check_priority(account, client, priority=data["priority"], start=data["effective_date"], end=data.get("end_date"))
    line = ClientPolicy(account=account, client=client, payer=payer, **{f: data[f] for f in POLICY_FIELDS if f in data})
    _save_policy(line)
    changes = {"payer": (None, payer.name), **{f: (None, getattr(line, f)) for f in POLICY_FIELDS
                                               if getattr(line, f) not in ("", None)}}
    _log("client.policy_add", actor=actor, account=account, client=client, line="policy", line_obj=line,
         changes=changes, version=line.version, context=context, channel=channel)
    return line


@transaction.atomic
def client_policy_update(*, actor, account, client, line, data: dict, expected_version: int, context=None):
    _check_line(account, client, line)
    _lock(client)
    merge = merge_edit(account, line, expected_version=expected_version, mine=data, fields=POLICY_FIELDS)
    changes = merge.changes
    if changes:
        merged = _merged(line, changes)
        _check_priority(account, client, priority=merged["priority"], start=merged["effective_date"],
                        end=merged["end_date"], exclude_pk=line.pk)
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
                save_versioned(line, expected_version=merge.version, changes=changes)
        except IntegrityError:
            raise FieldError("priority", "This client already has an open policy of this priority: end it first.") from None
    note_merge(merge, actor=actor, account=account, section=SECTION, row=line, context=context)
    _log("client.policy_update", actor=actor, account=account, client=client, line="policy", line_obj=line,
         changes=changes, version=line.version if changes else None, context=context)
    return line


@transaction.atomic
def client_policy_end(*, actor, account, client, line, end_date, expected_version: int, context=None):
    return _end("policy", actor=actor, account=account, client=client, line=line, end_date=end_date,
                start=line.effective_date, expected_version=expected_version, context=context)


@transaction.atomic
def client_policy_void(*, actor, account, client, line, reason: str, expected_version: int, context=None):
    return _void("policy", actor=actor, account=account, client=client, line=line, reason=reason,
                 expected_version=expected_version, context=context)


# --- Services given ----------------------------------------------------------------------

NO_POINTER = ("Choose the diagnosis this service treats (pointer 1): a service without a diagnosis "
              "cannot be billed.")


def _check_pointers(account, client, data: dict, *, changing: bool = True) -> None:
    """The pointers name this client's diagnoses (not voided); at least one when they are set at all."""
    if changing and all(data.get(name) is None for name in POINTERS):
        raise FieldError("diagnosis1", NO_POINTER)
    for name in POINTERS:
        dx = data.get(name)
        if dx is not None and (dx.account_id != account.pk or dx.client_id != client.pk or dx.voided):
            raise FieldError(name, "Choose one of this client's diagnoses.")


def _pointer_label(dx) -> str | None:
    return dx.code.display_code if dx is not None else None


def default_fee(billing_code, units: int) -> Decimal:
    """The billing code's fee for each unit, times the units."""
    return (billing_code.fee * units).quantize(Decimal("0.01"))


@transaction.atomic
def client_service_add(*, actor, account, client, billing_code, data: dict, context=None, channel=None):
    ensure_in_account(client, account)
    ensure_in_account(billing_code, account)
    if not billing_code.active:
        raise FieldError("billing_code", "This billing code is inactive; reactivate it under Billing Codes first.")
    _lock(client)
    _check_pointers(account, client, data)
    units = data.get("units") or billing_code.units or 1
    fee = data.get("fee")
    line = ClientService.objects.create(
        account=account, client=client, billing_code=billing_code, service_date=data["service_date"],
        units=units, fee=default_fee(billing_code, units) if fee is None else fee,
        **{n: data.get(n) for n in POINTERS})
    changes = {"service_date": (None, line.service_date), "billing_code": (None, billing_code.code),
               "units": (None, units), "fee": (None, line.fee),
               **{n: (None, _pointer_label(data.get(n))) for n in POINTERS if data.get(n) is not None}}
    _log("client.service_add", actor=actor, account=account, client=client, line="service", line_obj=line,
         changes=changes, version=line.version, context=context, channel=channel)
    refresh_last_service(account, [client.pk])
    return line


@transaction.atomic
def client_service_update(*, actor, account, client, line, data: dict, expected_version: int, context=None):
    _check_line(account, client, line)
    _lock(client)
    _check_pointers(account, client, data, changing=any(name in data for name in POINTERS))
    data = dict(data)
    data["units"] = data.get("units") or line.units
    if data.get("fee") is None:
        data["fee"] = line.fee
    merge = merge_edit(account, line, expected_version=expected_version, mine=data,
                       fields=("service_date", "units", "fee", *POINTERS),
                       shown=lambda name, value: _pointer_label(value) if name in POINTERS else value)
    changes = merge.changes
    shown = {k: ((_pointer_label(a), _pointer_label(b)) if k in POINTERS else (a, b)) for k, (a, b) in changes.items()}
    if changes:
        save_versioned(line, expected_version=merge.version, changes=changes)
    note_merge(merge, actor=actor, account=account, section=SECTION, row=line, context=context)
    _log("client.service_update", actor=actor, account=account, client=client, line="service", line_obj=line,
         changes=shown, version=line.version if changes else None, context=context)
    if "service_date" in changes:
        refresh_last_service(account, [client.pk])
    return line


@transaction.atomic
def client_service_void(*, actor, account, client, line, reason: str, expected_version: int, context=None):
    line = _void("service", actor=actor, account=account, client=client, line=line, reason=reason,
                 expected_version=expected_version, context=context)
    refresh_last_service(account, [client.pk])
    return line
