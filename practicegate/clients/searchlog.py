"""What a logged search of clients was for: a digest in the event, the terms beside it.

A search's `phi.view` event carries `terms_hmac`, a keyed digest of the folded terms:
the hash-chained, signed log vouches for the terms without holding them (the log's
detail holds no PHI; Reports may be granted without Clients). The terms as typed, after
NFC, go in a ClientSearch row written in the same transaction, readable only inside
the account and shown on the Activity Log to a viewer who may read Clients there.

A search across accounts keeps the terms only where it showed a client of the account;
its other events say `"terms_kept": false` and keep the digest alone (see search_all).
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from practicegate.clients.models import ClientSearch, SearchKind
from practicegate.core import text

# The event's target type for each kind of search (what the verification expects).
TARGET_TYPES = {SearchKind.LIST: "client_list", SearchKind.ALL_ACCOUNTS: "client_search_all"}


def search_terms_digest(query: str) -> str:
    """A keyed digest of what was searched: the log can be checked for a name without holding it."""
    return salted_hmac("practicegate.clients.search", text.fold(query), algorithm="sha256").hexdigest()


def kept_none(event) -> bool:
    """True for a search event that says no terms were kept beside it (none to look for)."""
    return (event.detail or {}).get("terms_kept") is False


def keep_terms(events: list, terms: str, *, kind: str) -> list[ClientSearch]:
    """Store the terms beside each event that logged the search: one INSERT for them all.

    Call it in the transaction that wrote the events, so neither exists without the other.
    """
    return ClientSearch.objects.bulk_create(
        [ClientSearch(account_id=event.account_id, event=event, kind=kind, terms=terms) for event in events])


def is_search_event(event) -> bool:
    """True for a `phi.view` event of a search that had terms (the ones with a ClientSearch)."""
    return (event.action == "phi.view" and event.target_type in TARGET_TYPES.values()
            and "terms_hmac" in (event.detail or {}))
