"""What the Activity Log and My Activity show of clients, to a viewer who may read Clients.

Registered with the log's providers (audit.lines, audit.readable) when the app loads.
Reports may be granted without Clients: such a viewer sees that a client was concerned,
or that terms were kept, never who or what. The viewer's level comes from the one
membership rule in each event's account: the request's own (resolved by the middleware)
on the Activity Log, accounts.rule.verdicts_for on My Activity, which spans accounts.
"""

from __future__ import annotations

from django.urls import reverse

from practicegate.accounts.rule import verdicts_for
from practicegate.audit.lines import register_lines
from practicegate.audit.readable import Target, register_target_noun, register_targets
from practicegate.clients.models import Client, ClientSearch, SearchKind
from practicegate.clients.searchlog import TARGET_TYPES, is_search_event, kept_none
from practicegate.core.scoping import across_accounts
from practicegate.core.sections import Level, level_of

SECTION = "clients"
LABEL = "search terms"
HIDDEN = "hidden: needs Clients access"
NOT_KEPT = "not kept (logged before search terms were kept)"
NOT_KEPT_HERE = "not kept here (the search showed no client of this account)"
HIDDEN_CLIENT = "a client (hidden: needs Clients access)"


def accounts_open_to(request, events) -> set[int]:
    """Ids of the events' accounts where the viewer has at least View Only on Clients."""
    account = getattr(request, "account", None)
    ids = {event.account_id for event in events if event.account_id is not None}
    allowed = set()
    if account is not None and account.pk in ids:  # the URL's account: the middleware applied the rule
        if level_of(getattr(request, "levels", {}), SECTION) >= Level.VIEW:
            allowed.add(account.pk)
        ids.discard(account.pk)
    if ids:
        slugs = {event.account.slug for event in events if event.account_id in ids}
        verdicts = verdicts_for(request.user, section=SECTION, needed=Level.VIEW, context=request.audit,
                                slugs=slugs)
        allowed |= {v.membership.account_id for v in verdicts.values() if v.allowed}
    return allowed


def search_terms_lines(request, events) -> dict[int, list[tuple[str, str]]]:
    """{event id: [("search terms", ...)]} for the page's search events: one query at most."""
    searches = [event for event in events if is_search_event(event)]
    if not searches:
        return {}
    allowed = accounts_open_to(request, searches)
    shown = [event.pk for event in searches if event.account_id in allowed]
    with across_accounts():  # each row is read beside its own event, in that event's account
        terms = dict(ClientSearch.objects.filter(event_id__in=shown, account_id__in=allowed)
                     .values_list("event_id", "terms"))
    terms |= {event.pk: NOT_KEPT_HERE for event in searches if event.pk in shown and kept_none(event)}
    return {event.pk: [(LABEL, terms.get(event.pk, NOT_KEPT) if event.pk in shown else HIDDEN)]
            for event in searches}


def client_targets(request, events) -> dict[int, Target]:
    """A client's name and number, linked, where the viewer may read Clients; else that it is hidden."""
    allowed = accounts_open_to(request, events)
    wanted = {(event.account_id, int(event.target_id)) for event in events
              if event.account_id in allowed and event.target_id.isdigit()}
    found = {}
    if wanted:
        with across_accounts():  # each client is looked up in its own event's account
            rows = (Client.objects.filter(account_id__in={a for a, _ in wanted}, pk__in={pk for _, pk in wanted})
                    .select_related("account").only("pk", "account__slug", "number", "first_name", "middle_name",
                                                    "last_name"))
            found = {(c.account_id, c.pk): c for c in rows}
    shown = {}
    for event in events:
        client = found.get((event.account_id, int(event.target_id))) if event.target_id.isdigit() else None
        if event.account_id not in allowed:
            shown[event.pk] = Target(HIDDEN_CLIENT, hidden=True)
        elif client is None:
            shown[event.pk] = Target(f"client {event.target_id} (not found)")
        else:
            url = reverse("clients:detail", kwargs={"account": client.account.slug, "number": client.number})
            shown[event.pk] = Target(f"{client.full_name} (#{client.number})", url=url, client_id=client.pk)
    return shown


register_lines("clients.search_terms", search_terms_lines)
register_targets("client", client_targets)
register_target_noun(TARGET_TYPES[SearchKind.LIST], "the client list")
register_target_noun(TARGET_TYPES[SearchKind.ALL_ACCOUNTS], "Find a client in all my accounts")
register_target_noun("client_export", "the client list (CSV download)")
register_target_noun("client_import", "clients from a CSV file")
