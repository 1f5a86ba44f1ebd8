"""What a change of a client writes beside the activity log: its event's detail and its ClientChange.

The event names the fields and carries a SHA-256 of their values (the log holds no PHI);
the ClientChange row, written in the same transaction, holds the values themselves
(selectors.changes_not_matching_the_log holds each row to its event). A change saved
one at a time (services._log) and many additions at once (bulk.log_added) build both here.
"""

from __future__ import annotations

import hashlib

from practicegate.audit.chain import canonical
from practicegate.clients.models import ClientChange
from practicegate.records.editing import version_detail


def change_detail(changes: dict, *, version: int | None, line: str = "", line_obj=None,
                  extra: dict | None = None) -> tuple[dict, dict]:
    """(the event's detail, the values its ClientChange keeps) of a change {field: (before, after)}.

    `version` is the client's version after the change, or its line's when `line` names one
    (None: a save that changed nothing, so no version moved).
    """
    values = version_detail(version or 0, changes)["changes"]
    detail = {"fields": sorted(values), **(extra or {})}
    if values:
        detail["values_sha256"] = hashlib.sha256(canonical(values)).hexdigest()
    if line:
        detail.update(line=line, line_id=line_obj.pk)
        if version is not None:
            detail["line_version"] = version
    elif version is not None:
        detail["version"] = version
    return detail, values


def change_row(event, *, account, client, values: dict, version: int | None, line: str = "",
               line_obj=None) -> ClientChange:
    """The ClientChange keeping `values` beside `event` (not saved; write it only when values is not empty)."""
    return ClientChange(account=account, client=client, event_id=event.pk, line=line,
                        line_id=line_obj.pk if line_obj is not None else None, version=version or 0,
                        changes=values)
