"""What a page shows when a save was stale (template records/_edit_conflict.html).

Every section calls the same functions with the row whose save was merged or refused;
where the row's saves are kept is the row's History (records.editing), not the page's
business. A refused merge (MergeConflict) turns each field both people changed into a
choice between the two values, the other person's preselected, and puts into the form
what the other person changed, so that saving the choice can put back nothing the user
did not change.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from django import forms

from practicegate.audit.context import audit_context
from practicegate.core import text
from practicegate.core.localtime import day_text, short_when_text, when_text
from practicegate.records.editing import (
    Edit,
    EditConflict,
    MergeConflict,
    edit_refused,
    edits_since,
    merge_of,
)


def refuse_stale(request, *, row, conflict: EditConflict, action: str, section: str) -> list[Edit]:
    """Log the refused save; the saves of `row` since the version the page was loaded from."""
    edit_refused(actor=request.user, account=request.account, action=action, section=section, row=row,
                 conflict=conflict, context=audit_context(request))
    return edits_since(request.account, row, version=conflict.expected)


def conflict_context(request, *, row, conflict: EditConflict, form, action: str, section: str) -> dict:
    """Log the refusal and say what the edit page shows: the saves since, named by this form's labels.

    After a refused merge, `row` is as merge_edit reloaded it: the form is moved to that
    version, with the other person's values in the fields only they changed and a choice
    in each field both changed. After a refused button-like form (discharge, end), the form
    keeps what this user typed at the current version, as before."""
    edits = refuse_stale(request, row=row, conflict=conflict, action=action, section=section)
    context = {"conflict": True, "conflict_edits": [_shown(edit, form) for edit in edits], "form": form}
    if conflict.current is None:
        return context
    form.data = form.data.copy()
    form.data["version"] = str(conflict.current)
    if isinstance(conflict, MergeConflict):
        for name in conflict.kept:
            if name in form.fields:
                form.data[name] = _input(form, name, getattr(row, name))
        for name, clash in conflict.clashes.items():
            if name in form.fields:
                _offer_choice(form, name, theirs=clash.theirs, mine=clash.mine, who=_last_editor(edits, name))
        context["conflict_fields"] = [field_label(form, name) for name in form.fields if name in conflict.clashes]
    return context


def _offer_choice(form, name: str, *, theirs, mine, who: str) -> None:
    """Make field `name` a choice between the other person's value (selected) and this user's."""
    theirs_in, mine_in = _input(form, name, theirs), _input(form, name, mine)
    form.fields[name].widget = forms.RadioSelect(choices=[
        (theirs_in, f"Keep {who}'s: {_display(form, name, theirs)}"),
        (mine_in, f"Use yours: {_display(form, name, mine)}"),
    ])
    form.data[name] = theirs_in


def _last_editor(edits: list[Edit], name: str) -> str:
    for edit in reversed(edits):
        if any(change.field == name for change in edit.changes):
            return edit.who or "someone"
    return "someone"


def _input(form, name: str, value) -> str:
    """`value` of field `name` as the form's input holds it (what posting it back saves again)."""
    field = form.fields.get(name)
    if value is None or value == "":
        return ""
    if name in getattr(form, "phone_fields", ()):
        return text.phone_display(value)
    if isinstance(field, forms.BooleanField):
        return "on" if value else ""
    if isinstance(field, forms.ModelChoiceField):
        return str(field.prepare_value(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return text.defuse(value) if isinstance(value, str) else str(value)


def _display(form, name: str, value) -> str:
    """`value` as a person reads it: phones formatted, choices by their label, yes or no."""
    field = form.fields.get(name)
    if isinstance(field, forms.BooleanField):
        return "Yes" if value else "No"
    if value is None or value == "":
        return "(empty)"
    if name in getattr(form, "phone_fields", ()):
        return text.phone_display(value)
    if isinstance(field, forms.ModelChoiceField):
        return str(field.label_from_instance(value))
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(str(value), dict(field.choices).get(value, value)))
    if isinstance(value, datetime.datetime):
        return when_text(value)
    return _as_page_date(field, value)


def _as_page_date(field, value):
    """A date field's value (a date, or the ISO text a history keeps) as the pages and the date
    inputs show dates: 12/07/2026. Any other value is returned as it is."""
    if isinstance(value, datetime.date):
        return day_text(value)
    if isinstance(field, forms.DateField) and isinstance(value, str) and value:
        try:
            return day_text(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    return value if isinstance(value, str) else str(value)


def _shown(edit: Edit, form) -> Edit:
    """`edit` with its fields named by the form's labels and phones shown as the pages show them."""
    phones = getattr(form, "phone_fields", ())

    def shown(name, value):
        if name in phones and value:
            return text.phone_display(value)
        field = getattr(form, "fields", {}).get(name)
        return _as_page_date(field, value) if isinstance(field, forms.DateField) else value

    return replace(edit, changes=tuple(
        replace(c, label=field_label(form, c.field), old=shown(c.field, c.old), new=shown(c.field, c.new))
        for c in edit.changes))


def merge_notice(row, form) -> str:
    """What the page says after a save merged with others' newer saves ("" when it was not stale):
    "Merged with practice-manager's change of 4:18 PM PST: Work phone, Emergency contact"."""
    merge = merge_of(row)
    if merge is None or not merge.stale or not merge.others:
        return ""
    who = sorted({e.who or "someone" for e in merge.others})
    names = {c.field for e in merge.others for c in e.changes}
    ordered = [n for n in getattr(form, "fields", {}) if n in names] + sorted(names - set(getattr(form, "fields", {})))
    labels = ", ".join(field_label(form, n) for n in ordered)
    people = " and ".join(f"{name}'s" for name in who)
    plural = "s" if len(merge.others) > 1 else ""
    # The time alone when it was today (in the page's zone), else the date too.
    return f"Merged with {people} change{plural} of {short_when_text(merge.others[-1].at)}{': ' + labels if labels else ''}."


def changed_meanwhile(done: str, noun: str, edits: list[Edit]) -> str:
    """The message of a refused button press (no form to show the changes beside)."""
    who = ", ".join(f"{e.who or 'someone'} at {when_text(e.at)}" for e in edits)
    return (f"Not {done}: this {noun} was changed after you opened it"
            f"{' (by ' + who + ')' if who else ''}. Check it below and try again.")


def field_label(form, name: str) -> str:
    """The label `form` shows for field `name`; a readable form of the name when it has none.

    A conflict box names the fields someone else changed as the form beside it labels them
    ("Last name", not "last_name"); fields that are not on this form (status on the
    discharge page) get their name with spaces."""
    field = getattr(form, "fields", {}).get(name)
    if field is not None and field.label:
        return str(field.label)
    return str(name).replace("_", " ").capitalize()
