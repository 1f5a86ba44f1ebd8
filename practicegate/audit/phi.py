"""The hook for pages that show protected health information: every read is logged.

A view that shows one target's PHI logs it before it answers:

    record_phi_read(request, target_type="client", target_id=client.pk, detail={"fields": [...]})

and, for a page that shows PHI of several accounts at once (each account's log gets its event):

    record_phi_reads(request, [Entry(account, target_type="client_search", detail={...}), ...],
                     section="clients")
"""

from __future__ import annotations

from practicegate.audit.context import audit_context
from practicegate.audit.services import Entry, record, record_many
from practicegate.core.sections import MEMBERS


def record_phi_read(request, *, target_type: str, target_id="", detail: dict | None = None):
    """Log that the signed-in username viewed PHI about one target (ids and field names only)."""
    section = getattr(request, "section", "") or ""
    grant = getattr(request, "emergency_used", None)
    if grant is not None:  # opened by emergency access: the log says so (and FHIR's purpose of use)
        detail = {**(detail or {}), "purpose": "emergency", "grant": grant.pk}
    return record("phi.view", account=request.account, actor=request.user, context=audit_context(request),
                  section="" if section == MEMBERS else section, target_type=target_type,
                  target_id=target_id, detail=detail)


def record_phi_reads(request, entries: list[Entry], *, section: str) -> list:
    """Log `phi.view` in each entry's account at once (a constant number of queries);
    return the events, in the order of the entries.

    The caller has applied the membership rule to every one of these accounts."""
    return record_many("phi.view", entries, actor=request.user, context=audit_context(request),
                       section=section)

