"""The record of many additions at once (an import, the demo), as the one-by-one services write it.

Each added client or line gets the event its service would write (`client.add`,
`client.diagnosis_add`, ...: the client as target, the field names, a SHA-256 of the
values, the version) and its ClientChange row holding the values; written with
audit.services.record_many and bulk_create, so a constant number of statements per
kind of addition, not per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from practicegate.audit.services import Entry, record_many
from practicegate.clients.changelog import change_detail, change_row
from practicegate.clients.models import ClientChange

SECTION = "clients"
BATCH = 1000


@dataclass
class Added:
    client: object
    changes: dict  # {field: (None, value)}
    line: str = ""  # "", "diagnosis", "policy" or "service"
    line_obj: object = None
    extra: dict | None = None

    @property
    def row(self):
        return self.line_obj if self.line else self.client


def log_added(items: list[Added], *, actor, account, context=None, channel=None) -> int:
    """Write every item's event and ClientChange; return the number of events."""
    by_action: dict[str, list[Added]] = {}
    for item in items:
        by_action.setdefault(f"client.{item.line}_add" if item.line else "client.add", []).append(item)
    changes = []
    for action, group in by_action.items():
        entries, values = [], []
        for item in group:
            added = {k: v for k, v in item.changes.items() if v[1] not in ("", None)}
            detail, value = change_detail(added, version=item.row.version, line=item.line,
                                          line_obj=item.line_obj, extra=item.extra)
            entries.append(Entry(account, "client", item.client.pk, detail))
            values.append(value)
        events = record_many(action, entries, actor=actor, context=context, channel=channel, section=SECTION)
        changes += [change_row(event, account=account, client=item.client, values=value, version=item.row.version,
                               line=item.line, line_obj=item.line_obj if item.line else None)
                    for item, event, value in zip(group, events, values, strict=True) if value]
    ClientChange.objects.bulk_create(changes, batch_size=BATCH)
    return sum(len(g) for g in by_action.values())
