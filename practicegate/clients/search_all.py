"""Find a client in all my accounts: one search over every account the username may read.

The membership rule (accounts.rule.verdicts_for: active username, member, the account's
two-factor requirement met by this session, at least View Only on Clients) picks the
accounts, in one query; accounts it refuses are neither searched nor mentioned. Only then
does the search cross accounts (core.scoping.across_accounts), as one UNION ALL of each
account's own search (selectors.client_search, which starts from the account), each
branch keyset-ordered and limited: one query however many accounts. An account with more
matches than are shown is then counted, up to COUNT_LIMIT + 1 rows each so a common name
stays fast, in one more UNION ALL for all of them ("10 of 214 shown"). Each searched
account's activity log gets one `phi.view` naming the clients shown, written for all the
accounts at once (audit.phi.record_phi_reads). The terms searched are kept in clear
(clients.searchlog.keep_terms, one INSERT for all of them) only beside the events of
accounts where the search showed a client: elsewhere a name would reach the log of an
account that holds no such client, so those events keep only the keyed digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction

from practicegate.accounts.rule import verdicts_for
from practicegate.audit.phi import Entry, record_phi_reads
from practicegate.clients import selectors
from practicegate.clients.models import Client, SearchKind
from practicegate.clients.searchlog import TARGET_TYPES, keep_terms, search_terms_digest
from practicegate.core.scoping import across_accounts
from practicegate.core.sections import Level

SECTION = "clients"
PER_ACCOUNT = 10
COUNT_LIMIT = 1000  # an account's matches are counted up to this many (past it: "more than")
# SQLite refuses a compound SELECT of more than 500 parts: past this, one query per chunk.
UNION_CHUNK = 400


@dataclass
class AccountHits:
    account: object
    rows: list = field(default_factory=list)
    more: bool = False  # the account has more matches than are shown
    matched: int = 0  # how many matched, counted up to COUNT_LIMIT + 1
    groups: list = field(default_factory=list)  # the rows under each reading of an ambiguous term

    @property
    def shown_text(self) -> str:
        """What the page says of this account: "3 clients found", "10 of 214 shown"."""
        shown = len(self.rows)
        if not self.more:
            return f"{shown} client{'' if shown == 1 else 's'} found"
        total = f"more than {COUNT_LIMIT:,}" if self.matched > COUNT_LIMIT else f"{self.matched:,}"
        return f"{shown} of {total} shown"


def searchable_accounts(user, *, context=None) -> list:
    """The accounts whose clients this username may read now, in name order (one query)."""
    verdicts = verdicts_for(user, section=SECTION, needed=Level.VIEW, context=context)
    return [v.account for v in verdicts.values() if v.allowed]


def _branch(account, search, status: str, limit: int):
    # The list's own order (on PostgreSQL a trigram name search sorts its matches).
    order = selectors._name_order(search)
    return selectors.client_search(account, search, status).order_by(order.asc(), "id")[:limit]


def _union(branches: list):
    """One UNION ALL of ordered, limited querysets (Django's union() refuses LIMIT on SQLite)."""
    if len(branches) == 1:
        return list(branches[0])
    parts, params = [], []
    for i, branch in enumerate(branches):
        sql, branch_params = branch.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS part{i}")
        params.extend(branch_params)
    return list(Client.objects.raw(" UNION ALL ".join(parts), params))


def _counts(accounts: list, search, status: str) -> dict[int, int]:
    """{account id: matches, at most COUNT_LIMIT + 1} for these accounts: one UNION ALL of bounded counts."""
    parts, params = [], []
    for i, account in enumerate(accounts):
        sql, branch_params = (selectors.client_search(account, search, status).order_by().values("pk")
                              [:COUNT_LIMIT + 1].query.sql_with_params())
        parts.append(f"SELECT %s, COUNT(*) FROM ({sql}) AS count{i}")
        params.extend([account.pk, *branch_params])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return dict(cursor.fetchall())


def find_clients(accounts: list, search, *, status: str = "all", per_account: int | None = None) -> list[AccountHits]:
    """The first `per_account` matches in each account (the rule was applied to each already)."""
    per_account = per_account or PER_ACCOUNT
    hits = {a.pk: AccountHits(a) for a in accounts}
    if not accounts or not search.kind:
        return list(hits.values())
    with across_accounts():
        for start in range(0, len(accounts), UNION_CHUNK):
            for client in _union([_branch(a, search, status, per_account + 1)
                                  for a in accounts[start:start + UNION_CHUNK]]):
                hits[client.account_id].rows.append(client)
    for hit in hits.values():
        hit.rows.sort(key=lambda c: (c.sort_key, c.pk))
        hit.more = len(hit.rows) > per_account
        del hit.rows[per_account:]
        hit.matched = len(hit.rows)
        hit.groups = selectors.groups_of(search, hit.rows)
    more = [hit.account for hit in hits.values() if hit.more]
    with across_accounts():
        for start in range(0, len(more), UNION_CHUNK):
            for account_id, matched in _counts(more[start:start + UNION_CHUNK], search, status).items():
                hits[account_id].matched = matched
    return list(hits.values())


@transaction.atomic(savepoint=False)  # inside the caller's transaction: no savepoint queries
def log_search(request, results: list[AccountHits], *, query: str, search, status: str) -> int:
    """One `phi.view` in each searched account (how many of its clients were shown, and
    which) and, where it showed one, the terms searched (a ClientSearch): two writes for them all."""
    detail = {"search": search.kind, "words": search.words, "terms_hmac": search_terms_digest(query),
              "status": status, "accounts_searched": len(results)}
    entries = [
        Entry(hit.account, target_type=TARGET_TYPES[SearchKind.ALL_ACCOUNTS], detail={
            "shown": len(hit.rows), "more": hit.more, "client_ids": [c.pk for c in hit.rows],
            "terms_kept": bool(hit.rows), **detail})
        for hit in results
    ]
    events = record_phi_reads(request, entries, section=SECTION)
    showed = [event for event in events if event.detail["terms_kept"]]
    with across_accounts():  # each row goes to its own event's account, all of them searched
        keep_terms(showed, query, kind=SearchKind.ALL_ACCOUNTS)
    return len(events)
