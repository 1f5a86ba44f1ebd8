"""The Activity Log shows what a search was for, to a viewer who may read Clients there.

Registered with the log's line providers (audit.lines) when the app loads. Reports may
be granted without Clients: such a viewer sees that terms were kept, not the terms.
"""

from __future__ import annotations

from practicegate.audit.lines import register_lines
from practicegate.clients.models import ClientSearch
from practicegate.clients.searchlog import is_search_event, kept_none
from practicegate.core.sections import Level, level_of

LABEL = "search terms"
HIDDEN = "hidden: needs Clients access"
NOT_KEPT = "not kept (logged before search terms were kept)"
NOT_KEPT_HERE = "not kept here (the search showed no client of this account)"


def search_terms_lines(request, account, events) -> dict[int, list[tuple[str, str]]]:
    """{event id: [("search terms", ...)]} for the page's search events: one query at most."""
    searches = [event.pk for event in events if is_search_event(event)]
    if not searches:
        return {}
    if level_of(getattr(request, "levels", {}), "clients") < Level.VIEW:
        return {pk: [(LABEL, HIDDEN)] for pk in searches}
    terms = dict(ClientSearch.objects.filter(account=account, event_id__in=searches)
                 .values_list("event_id", "terms"))
    terms |= {event.pk: NOT_KEPT_HERE for event in events if event.pk in searches and kept_none(event)}
    return {pk: [(LABEL, terms.get(pk, NOT_KEPT))] for pk in searches}


register_lines("clients.search_terms", search_terms_lines)
