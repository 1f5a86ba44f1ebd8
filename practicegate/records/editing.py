"""Edits that never overwrite each other: every editable row carries a version.

An edit form carries the version it was loaded from (``VersionField``); every versioned
service takes it as ``expected_version`` and writes through ``save_versioned`` (or
``update_versioned``), one conditional UPDATE that also bumps the version. When another
username saved first, nothing is written and ``EditConflict`` is raised; the page then
shows what changed since (``edits_since``, read through the row's ``History``) beside
what this user typed, and ``edit_refused`` logs the attempt.

Each kind of row says where its saves are kept (``register_history``): the master files
in their events' detail (``version_detail``, the default ``History``), clients in
``ClientChange`` rows. ``values_at`` rebuilds from that history the values a stale form
was loaded with, which is what ``merge_edit`` compares a stale edit form against: a field
only someone else changed keeps their value, a field only this user changed takes this
user's value, and only a field both changed to different values stops the save
(``MergeConflict``, the page then lets the user choose). Button presses (deactivate,
discharge, void...) do not merge: a stale one is refused as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from practicegate.audit.actions import register, register_group
from practicegate.audit.models import AuditEvent, Outcome
from practicegate.audit.selectors import EventFilter, account_events
from practicegate.audit.services import record

SHOWN_EDITS = 20  # a conflict box lists at most this many saves
MERGED = register("edit.merged", "Saved an edit merged with someone else's newer change", crud="U")
register_group("edit", "Edits")


class EditConflict(Exception):
    """The row changed since the form was loaded; nothing was saved."""

    def __init__(self, *, expected: int, current: int | None):
        self.expected = expected
        self.current = current  # None: the row is gone
        super().__init__("Someone else saved this record after you opened it. "
                         "Nothing was saved: check their change below, then save again.")


def version_column() -> models.PositiveIntegerField:
    """The column every editable tenant row carries (starts at 1)."""
    return models.PositiveIntegerField(default=1)


class VersionField(forms.IntegerField):
    """The hidden field of an edit form: the version the form was loaded from."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        damaged = "This form's version is damaged: reload the page and try again."
        kwargs.setdefault("error_messages", {
            "required": "This form is missing its version: reload the page and try again.",
            "invalid": damaged, "min_value": damaged, "max_value": damaged,
        })
        super().__init__(**kwargs)


# --- Saving --------------------------------------------------------------------------------

def update_versioned(instance: models.Model, *, expected_version: int, fields: list[str]) -> int:
    """Write `fields` of `instance` only if its row is still at `expected_version`.

    One UPDATE ... WHERE pk = ... AND version = ...; returns the new version and sets it
    on the instance. Raises EditConflict (and writes nothing) when the row moved on.
    """
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    done = model._base_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values)
    if not done:
        raise EditConflict(expected=expected_version, current=current_version(model, instance.pk))
    instance.version = expected_version + 1
    return instance.version


def current_version(model: type[models.Model], pk) -> int | None:
    """The row's version now; None when it is gone."""
    return model._base_manager.filter(pk=pk).values_list("version", flat=True).first()


def save_versioned(row: models.Model, *, expected_version: int, changes: dict[str, tuple],
                   also: Iterable[str] = (), derive: Callable[[models.Model], None] | None = None) -> int:
    """Apply an edit's `changes` ({field: (value now, value saved)}) to `row` and write them.

    `derive` recomputes fields that follow from the edited ones (written with `also`); the
    row's `updated_at` is stamped. A row no longer at `expected_version` raises EditConflict
    and nothing is written. This is the one place a stale save is decided: a merge compares
    `changes` with `values_at(...)` of the row at `expected_version` here.
    """
    for name, (_, new) in changes.items():
        setattr(row, name, new)
    if derive is not None:
        derive(row)
    row.updated_at = timezone.now()
    return update_versioned(row, expected_version=expected_version, fields=[*changes, *also, "updated_at"])


def version_detail(version: int, changes: dict[str, tuple]) -> dict:
    """The part of an edit's activity-log detail that the default History reads back."""
    return {"version": version, "changes": {k: [_plain(a), _plain(b)] for k, (a, b) in changes.items()}}


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --- What changed since a version, and who did it ---------------------------------------

@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class Edit:
    """One save of a row: who, when, and each field's value before and after (as logged)."""

    who: str
    at: datetime
    label: str  # the action in words, for a save that names no field
    version: int  # of the row after this save
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Target:
    """How a kind's events name one row: the event's target and the detail that narrows it."""

    type: str
    id: str
    detail: dict


class History:
    """Where the saves of one kind of row are kept. This default reads the events that
    target the row itself, their `version` and `changes` written by version_detail."""

    version_key = "version"

    def target(self, row) -> Target:
        return Target(row._meta.label_lower, str(row.pk), {})

    def saves(self, account, row, *, after: int) -> QuerySet:
        """The events of saves that took `row` past version `after`, oldest first."""
        target = self.target(row)
        where = {f"detail__{key}": value for key, value in target.detail.items()}
        return (account_events(account, EventFilter(target_type=target.type, target_id=target.id))
                .filter(**where, **{f"detail__{self.version_key}__gt": int(after)}).order_by("seq"))

    def values(self, account, events: list[AuditEvent]) -> dict[int, dict]:
        """{event id: {field: [before, after]}} of these saves."""
        return {e.pk: (e.detail or {}).get("changes", {}) for e in events}


_HISTORIES: dict[type, History] = {}
DEFAULT_HISTORY = History()


def register_history(model: type[models.Model], history: History) -> None:
    """Say where the saves of `model`'s rows are kept (rows of other models use the default)."""
    _HISTORIES[model] = history


def history_of(row) -> History:
    return _HISTORIES.get(type(row), DEFAULT_HISTORY)


def edits_since(account, row, *, version: int, limit: int | None = SHOWN_EDITS) -> list[Edit]:
    """The saves of `row` after `version`, oldest first: who, when, what each changed."""
    history = history_of(row)
    saves = history.saves(account, row, after=version)
    events = list(saves[:limit] if limit is not None else saves)
    values = history.values(account, events)
    return [Edit(who=e.actor_username, at=e.at, label=e.label,
                 version=int((e.detail or {}).get(history.version_key, 0)),
                 changes=tuple(FieldChange(name, _readable(name), pair[0], pair[1])
                               for name, pair in values.get(e.pk, {}).items()))
            for e in events]


def values_at(account, row, *, version: int) -> dict[str, object]:
    """The logged values of the fields saved since `version`, as they were at `version`
    (what a form loaded then showed), in their logged form; fields not saved since are
    as the row holds them now."""
    return _before(edits_since(account, row, version=version, limit=None))


def _before(edits: list[Edit]) -> dict[str, object]:
    before: dict[str, object] = {}
    for edit in edits:
        for change in edit.changes:
            before.setdefault(change.field, change.old)
    return before


def _readable(name: str) -> str:
    return str(name).replace("_", " ").capitalize()


# --- Merging a stale edit ------------------------------------------------------------------

@dataclass(frozen=True)
class Clash:
    """A field both this user and someone else changed since the form was loaded, differently."""

    field: str
    theirs: object  # as the row holds it now
    mine: object  # as this save has it


class MergeConflict(EditConflict):
    """Someone else changed, since the form was loaded, fields this save changes too; nothing was saved."""

    def __init__(self, *, expected: int, current: int, clashes: dict[str, Clash], kept: tuple[str, ...]):
        super().__init__(expected=expected, current=current)
        self.clashes = clashes
        self.kept = kept  # fields only someone else changed: the page keeps their values
        self.args = ("Someone else changed the same fields after you opened this page: "
                     "choose which value to keep for each.",)


@dataclass
class Merge:
    """What an edit form's save does to the row as it is now (see merge_edit)."""

    expected: int  # the version the form was loaded from
    version: int  # the row's version now, the one the save writes over
    changes: dict[str, tuple]  # {field: (value now, value saved)}: this user's changes
    kept: tuple[str, ...] = ()  # fields only someone else changed: left as they are
    others: list[Edit] = field(default_factory=list)  # the saves made since `expected`

    @property
    def stale(self) -> bool:
        return self.version != self.expected


def merge_edit(account, row, *, expected_version: int, mine: dict, fields: Iterable[str],
               shown: Callable[[str, object], object] | None = None) -> Merge:
    """Compare an edit form's values (`mine`) with `row` as it is now, field by field.

    Locks the row and reloads `fields` (and its version) into `row`. A field counts as
    changed by this user when it differs from its value at `expected_version` (values_at),
    and as changed by someone else when the row's value differs from it. This user's changes
    are returned to be saved (save_versioned at `Merge.version`); fields only someone else
    changed stay as they are. Fields both changed to different values raise MergeConflict,
    and nothing is decided for the user. Values are compared in their logged form (`shown`
    turns a value into it, e.g. a pointer into its label; numbers compare as numbers).
    A row that is gone raises EditConflict.
    """
    model, fields = type(row), [name for name in fields if name in mine]
    try:
        model._base_manager.select_for_update().filter(pk=row.pk).values_list("pk").get()
        row.refresh_from_db(fields=[*fields, "version"])
    except model.DoesNotExist:
        raise EditConflict(expected=expected_version, current=None) from None
    if expected_version > row.version:  # no form was loaded from a version not yet saved
        raise EditConflict(expected=expected_version, current=row.version)
    others = edits_since(account, row, version=expected_version, limit=None) if row.version != expected_version else []
    base = _before(others)

    def comparable(name, value, *, logged=False):
        return _comparable(row, name, value if logged or shown is None else shown(name, value))

    changes, kept, clashes = {}, [], {}
    for name in fields:
        now, new = getattr(row, name), mine[name]
        now_c, new_c = comparable(name, now), comparable(name, new)
        base_c = comparable(name, base[name], logged=True) if name in base else now_c
        if new_c == base_c:  # this user left it as loaded: whatever it is now stays
            if now_c != base_c:
                kept.append(name)
        elif new_c == now_c:
            continue  # changed to what it already is
        elif now_c != base_c:
            clashes[name] = Clash(name, now, new)
        else:
            changes[name] = (now, new)
    if clashes:
        raise MergeConflict(expected=expected_version, current=row.version, clashes=clashes, kept=tuple(kept))
    merge = Merge(expected_version, row.version, changes, tuple(kept), others)
    row._pg_merge = merge  # what the edit page says after the save (merge_of)
    return merge


def merge_of(row) -> Merge | None:
    """The merge of the last save of `row` through merge_edit in this request, if any."""
    return getattr(row, "_pg_merge", None)


def _comparable(row, name: str, value):
    """`value` of field `name` as the log keeps it; decimals as numbers ("80" is "80.00")."""
    if value is None:
        return None
    try:
        decimal = isinstance(row._meta.get_field(name), models.DecimalField)
    except LookupError:
        decimal = False
    if decimal:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return _plain(value)
    return _plain(value)


def note_merge(merge: Merge, *, actor, account, section: str, row, context=None) -> AuditEvent | None:
    """Log that a stale save was merged (field names only); nothing when the save was not stale."""
    if not merge.stale:
        return None
    target = history_of(row).target(row)
    return record(MERGED, account=account, actor=actor, context=context, section=section,
                  target_type=target.type, target_id=target.id,
                  detail={"merged": True, "expected_version": merge.expected, "merged_at_version": merge.version,
                          "fields_saved": sorted(merge.changes), "fields_kept": sorted(merge.kept),
                          "merged_with": sorted({e.who for e in merge.others if e.who}), **target.detail})


# --- A refused save ------------------------------------------------------------------------

@transaction.atomic
def edit_refused(*, actor, account, action: str, section: str, row, conflict: EditConflict,
                 context=None) -> AuditEvent:
    """Log a save refused because `row` changed after its page was loaded.

    The refused service wrote nothing (its transaction rolled back); this records the
    attempt where the row's history is kept, so its Access history shows it. The detail
    has no version, so a later conflict page never lists it as a save."""
    target = history_of(row).target(row)
    return record(action, account=account, actor=actor, context=context, section=section,
                  outcome=Outcome.FAILURE, target_type=target.type, target_id=target.id,
                  detail={"conflict": True, "expected_version": conflict.expected,
                          "current_version": conflict.current, **_clash_detail(conflict), **target.detail})


def _clash_detail(conflict: EditConflict) -> dict:
    """The names (never the values) of the fields a refused merge found changed by both."""
    if not isinstance(conflict, MergeConflict):
        return {}
    return {"fields_both_changed": sorted(conflict.clashes), "fields_kept": sorted(conflict.kept)}
