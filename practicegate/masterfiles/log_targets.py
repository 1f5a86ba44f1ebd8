"""The Activity Log names a master-file row by its code (or a payer by name), not by row id."""

from __future__ import annotations

from practicegate.audit.readable import Target, register_target_noun, register_targets
from practicegate.core.scoping import across_accounts
from practicegate.masterfiles.kinds import KINDS


def _provider(kind):
    def targets(request, events) -> dict[int, Target]:
        ids = {int(e.target_id) for e in events if e.target_id.isdigit()}
        accounts = {e.account_id for e in events}
        with across_accounts():  # each row is read in its own event's account
            rows = {(row.account_id, row.pk): row for row in
                    kind.model.objects.filter(account_id__in=accounts, pk__in=ids)}
        shown = {}
        for event in events:
            row = rows.get((event.account_id, int(event.target_id))) if event.target_id.isdigit() else None
            label = str(row) if row is not None else f"no longer there (#{event.target_id})"
            shown[event.pk] = Target(f"{kind.noun} {label}")
        return shown
    return targets


for _kind in KINDS.values():
    register_targets(_kind.model._meta.label_lower, _provider(_kind))
register_target_noun("masterfiles.pendingimport", "CSV import previews")
