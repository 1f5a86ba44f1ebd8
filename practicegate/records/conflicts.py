"""What a page shows when a save was refused as stale (template records/_edit_conflict.html).

Every section calls the same two functions with the row whose save was refused; where the
row's saves are kept is the row's History (records.editing), not the page's business.
"""

from __future__ import annotations

from practicegate.audit.context import audit_context
from practicegate.records.editing import Edit, EditConflict, edit_refused, edits_since


def refuse_stale(request, *, row, conflict: EditConflict, action: str, section: str) -> list[Edit]:
    """Log the refused save; the saves of `row` since the version the page was loaded from."""
    edit_refused(actor=request.user, account=request.account, action=action, section=section, row=row,
                 conflict=conflict, context=audit_context(request))
    return edits_since(request.account, row, version=conflict.expected)


def conflict_context(request, *, row, conflict: EditConflict, form, action: str, section: str) -> dict:
    """Log the refusal and say what the edit page shows: the saves since, their fields named
    by this form's labels, and the form with what this user typed at the current version
    (so saving again applies it knowingly)."""
    edits = refuse_stale(request, row=row, conflict=conflict, action=action, section=section)
    if conflict.current is not None:
        form.data = form.data.copy()
        form.data["version"] = str(conflict.current)
    return {"conflict": True, "conflict_edits": [edit.relabelled(lambda name: field_label(form, name))
                                                 for edit in edits], "form": form}


def changed_meanwhile(done: str, noun: str, edits: list[Edit]) -> str:
    """The message of a refused button press (no form to show the changes beside)."""
    who = ", ".join(f"{e.who or 'someone'} at {e.at:%Y-%m-%d %H:%M} UTC" for e in edits)
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
