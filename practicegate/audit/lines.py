"""Lines a section above the log adds to events shown on the Activity Log page.

The log's detail holds no PHI. A section that keeps PHI beside an event (Clients keeps
what each search was for) registers a provider here and decides, from the viewer's own
levels in each event's account, whether to show it. A provider is called once per page with
all of the page's events (of one account on the Activity Log, of several on My Activity), so
it costs a query or two per page, never one per row.

    register_lines("clients.search_terms", provider)
    # provider(request, events) -> {event id: [(label, text), ...]}
"""

from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: dict[str, Callable] = {}


def register_lines(name: str, provider: Callable) -> None:
    _PROVIDERS[name] = provider  # by name: registering again (a reloaded app) replaces it


def add_lines(request, events: list) -> None:
    """Set `extra_lines` on each event: what the registered providers show this viewer."""
    for event in events:
        event.extra_lines = []
    if not events:
        return
    by_id = {event.pk: event for event in events}
    for provider in _PROVIDERS.values():
        for pk, lines in provider(request, events).items():
            by_id[pk].extra_lines.extend(lines)
