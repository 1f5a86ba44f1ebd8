"""Where the saves of a client and of its lines are kept, for versioned editing (records.editing).

Every change's event targets the client; a line's event names the line in its detail
(`line`, `line_id`, `line_version`). The values are not in the log (they are PHI): they
are in the ClientChange row the same transaction wrote.
"""

from __future__ import annotations

from practicegate.clients.models import (
    Client,
    ClientChange,
    ClientDiagnosis,
    ClientPolicy,
    ClientService,
)
from practicegate.records.editing import History, Target, register_history


class ClientHistory(History):
    """The saves of a client's demographics and status (line ""), or of one kind of its lines."""

    def __init__(self, line: str = ""):
        self.line = line
        self.version_key = "line_version" if line else "version"

    def target(self, row) -> Target:
        if not self.line:
            return Target("client", str(row.pk), {})
        return Target("client", str(row.client_id), {"line": self.line, "line_id": row.pk})

    def values(self, account, events) -> dict[int, dict]:
        return dict(ClientChange.objects.filter(account=account, event__in=[e.pk for e in events])
                    .values_list("event_id", "changes"))


register_history(Client, ClientHistory())
register_history(ClientDiagnosis, ClientHistory("diagnosis"))
register_history(ClientPolicy, ClientHistory("policy"))
register_history(ClientService, ClientHistory("service"))
