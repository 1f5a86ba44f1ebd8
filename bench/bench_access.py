"""Username Privileges at 500 usernames against the same page at 5 (the page lists every
username with its levels and two-factor status: the cost may grow with the rows, not the queries)."""

from __future__ import annotations

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import Result

REPEAT = 20
BACKEND = "practicegate.accounts.backends.UsernameBackend"


def _account_with(n: int):
    from practicegate.accounts.models import Membership, User
    from practicegate.accounts.services import account_signup
    from practicegate.accounts.usernames import username_key, username_skeleton
    from practicegate.core.sections import full_levels

    stamp = f"{n}-{int(time.time() * 1000) % 10**8}"
    account = account_signup(provider_name=f"Bench privileges {stamp}", email="b@example.org",
                             username=f"benchpriv{stamp}", password="bench passphrase for privileges 1")
    names = [f"bp{stamp}-{i}" for i in range(n - 1)]
    users = User.objects.bulk_create([  # bulk_create skips save(): the lookup keys are set here
        User(username=name, username_key=username_key(name), username_skeleton=username_skeleton(name),
             email="u@example.org") for name in names])
    Membership.objects.bulk_create([Membership(user=u, account=account, levels=full_levels()) for u in users])
    return account


def _client_for(account) -> tuple[Client, str]:
    client = Client()
    client.force_login(account.owner, backend=BACKEND)
    path = f"/a/{account.slug}/access/privileges/"
    assert client.get(path).status_code == 200
    return client, path


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries.captured_queries)


def run() -> list[Result]:
    pages = {n: _client_for(_account_with(n)) for n in (5, 500)}
    best = {n: float("inf") for n in pages}
    for _ in range(REPEAT):  # alternate, so a busy moment slows both alike
        for n, (client, path) in pages.items():
            started = time.perf_counter()
            client.get(path)
            best[n] = min(best[n], time.perf_counter() - started)
    few, many = best[5], best[500]
    few_queries, many_queries = (_queries(*pages[n]) for n in (5, 500))
    return [
        Result("Username Privileges, 500 usernames", many * 1000, "ms", "the same page at 5", few * 1000,
               target=3, higher_is_better=False),
        Result("Username Privileges, 500 usernames: queries", many_queries, "queries", "at 5", few_queries,
               target=1, higher_is_better=False),
    ]
