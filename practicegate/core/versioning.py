"""Edits that never overwrite each other: every editable row carries a version.

An edit form carries the version it was loaded from (``VersionField``). The service
saves with ``update_versioned``, one conditional UPDATE that also bumps the version;
when another username saved first, nothing is written and ``EditConflict`` is raised.
The view then shows the form again with what this user typed, beside what the other
username changed and when (read from the activity log: the service records
``version_detail(...)`` in its event, see audit.selectors.edits_since).
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models import F


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
        current = model._base_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise EditConflict(expected=expected_version, current=current)
    instance.version = expected_version + 1
    return instance.version


def version_detail(version: int, changes: dict[str, tuple]) -> dict:
    """The part of an edit's activity-log detail that a later conflict page reads."""
    return {"version": version, "changes": {k: [_plain(a), _plain(b)] for k, (a, b) in changes.items()}}


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
