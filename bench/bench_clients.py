"""The client list at 100,000 clients in one account, and Find a client in all my accounts.

- The last page of the list (keyset, name order) against the first page: about the same.
- Each kind of search staff type, against the first page: a name (a word in about 1 in 200
  names; on PostgreSQL the trigram index), "Last, First", a phone number's last four digits
  (typed alone, so also read as a client number), its last seven, the whole number, a client
  number and a date of birth typed 06/03/1958; a rare word for reference. Targets (≤ 3×)
  on PostgreSQL; SQLite's are reported (it has no trigram index for names).
- Each order of the list (name, number, date of birth, last service; both directions) and the
  bounded count ("Clients 1–50 of more than 10,000"), against the first page read with no
  order at all: each first page at most 3 times it, a second page (two queries) at most 5 times.
- Find a client in all my accounts (the whole request: the rule, the one search query and
  one event in each searched account) with 50 joined accounts against 1; its queries.

Clients are loaded with bulk inserts of generated names and phones (bench data, not the
services). BENCH_CLIENTS sets the size of the list's account (100,000) for a quick try.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bench import Result

CLIENTS = int(os.environ.get("BENCH_CLIENTS", 100_000))
ACCOUNTS = 50
CLIENTS_PER_JOINED_ACCOUNT = 400
REPEAT = 30
FIRST = ["Ada", "Bea", "Cai", "Dov", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Mio", "Noa",
         "Oda", "Pia", "Quin", "Rui", "Sol", "Tea", "Uma", "Vik", "Wen", "Xia", "Yara", "Zoë", "Ángel", "Øystein"]
SYLLABLES = ["ba", "ko", "ri", "sen", "ta", "vel", "mor", "lin", "qu", "dra", "el", "han", "po", "zu", "ni", "gar"]


def _best(fn, repeat: int = REPEAT) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _last_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title()


def _phone(rng: random.Random) -> str:
    return f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randrange(10_000):04d}"


def _load(account, count: int, rng: random.Random, *, marker: str = "") -> None:
    from practicegate.clients.models import Client, ClientCounter
    from practicegate.clients.services import _keys

    born = date(1950, 1, 1)
    rows = []
    for number in range(1, count + 1):
        client = Client(account=account, number=number, first_name=rng.choice(FIRST),
                        last_name=marker if marker and number % 200 == 0 else _last_name(rng),
                        birth_date=born + timedelta(days=rng.randrange(20_000)), sex=rng.choice("FMU"),
                        mobile_phone=_phone(rng), home_phone=_phone(rng) if number % 3 == 0 else "",
                        intake_date=date(2024, 1, 1))
        if rng.random() < 0.7:  # seen at least once (what the services keep)
            client.last_service_date = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
        _keys(client)
        rows.append(client)
    Client.objects.bulk_create(rows, batch_size=2000)
    ClientCounter.objects.create(account=account, next_number=count + 1)


def _list_rows(account) -> list[Result]:
    from practicegate.clients import selectors
    from practicegate.clients.models import Client

    with_marker = "Okonkwo-Lindqvist"
    _load(account, CLIENTS, random.Random(13), marker=with_marker)
    with connection.cursor() as cursor:
        # Fresh statistics on both (SQLite keeps none until ANALYZE; without them it walks
        # the name index for a date-of-birth search).
        cursor.execute("ANALYZE clients_client")
    numbers = list(Client.objects.filter(account=account).order_by("-sort_key", "-id")
                   .values_list("number", flat=True)[:52])
    cursor_id = numbers[-1]  # the page after it is the last one (cursors are client numbers)
    assert len(selectors.client_page(account, status="all", after=cursor_id).rows) == 50
    # One client in the middle, searched for the ways staff type it.
    one = Client.objects.filter(account=account, number=CLIENTS // 2 + 1).get()
    marked = Client.objects.filter(account=account, last_name=with_marker).order_by("number").first()
    digits = one.mobile_phone[2:]
    searches = [
        ("name search (1 in 200 names)", "okonkwo"),
        ("name as Last, First (1 in 200 last names)", f"{with_marker}, {marked.first_name}"),
        ("phone's last 4 digits (also a client number)", digits[-4:]),
        ("phone's last 7 digits", f"{digits[3:6]}-{digits[6:]}"),
        ("whole phone number", f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"),
        ("client number", f"#{one.number}"),
        ("date of birth typed 06/03/1958", f"{one.birth_date:%m/%d/%Y}"),
    ]
    for _label, query in searches:  # each finds what it was typed for
        found = {c.pk for c in selectors.client_page(account, status="all", query=query).rows}
        assert found & {one.pk, marked.pk} or query == "okonkwo", query
    assert len(selectors.client_page(account, status="all", query="okonkwo").rows) == 50
    first = _best(lambda: selectors.client_page(account, status="all"))
    last = _best(lambda: selectors.client_page(account, status="all", after=cursor_id))
    timed = [(label, _best(lambda q=query: selectors.client_page(account, status="all", query=q)))
             for label, query in searches]
    rare = _best(lambda: selectors.client_page(account, status="all", query="zzqx"), repeat=5)
    ms = 1000
    on_pg = connection.vendor == "postgresql"
    size = f"{CLIENTS // 1000}k" if CLIENTS >= 1000 else str(CLIENTS)
    return [
        Result(f"clients: last page of {size} vs first", last * ms, "ms", "first page", first * ms,
               target=3, higher_is_better=False),
        *(Result(f"clients: {label}", seconds * ms, "ms", "first page", first * ms,
                 target=3 if on_pg else None, higher_is_better=False) for label, seconds in timed),
        Result("clients: rare name search (no match)", rare * ms, "ms", "first page", first * ms,
               higher_is_better=False),
    ]


SORT_TARGET = 3  # each order's first page, and the bounded count, at most 3 times the unordered page
LATER_TARGET = 5  # a later page: two queries (the cursor's row, then the page) against the baseline's one


def _sort_rows(account) -> list[Result]:
    """The list's orders and its count at CLIENTS clients, against the first 50 active clients
    read in no order (what the database returns first: the cheapest page there is)."""
    from practicegate.clients import selectors
    from practicegate.core.paging import bounded_count

    listed = selectors.client_search(account, selectors.parse_search(""), "active")
    assert bounded_count(listed) > 10_000 or CLIENTS <= 10_000
    unordered = _best(lambda: list(listed.order_by()[:51]))
    ms, rows = 1000, []
    for sort in selectors.SORTS:
        for descending in (False, True):
            page = selectors.client_page(account, sort=sort, descending=descending)
            assert len(page.rows) == 50
            later = page.before if descending else page.after
            cursor = {"before": later} if descending else {"after": later}
            first = _best(lambda s=sort, d=descending: selectors.client_page(account, sort=s, descending=d))
            second = _best(lambda s=sort, d=descending, c=cursor: selectors.client_page(account, sort=s, descending=d,
                                                                                        **c))
            way = " desc" if descending else ""
            rows += [Result(f"clients by {sort}{way}: page 1", first * ms, "ms", "unordered page",
                            unordered * ms, target=SORT_TARGET, higher_is_better=False),
                     Result(f"clients by {sort}{way}: page 2", second * ms, "ms", "unordered page",
                            unordered * ms, target=LATER_TARGET, higher_is_better=False)]
    count = _best(lambda: bounded_count(listed))
    rows.append(Result(f"clients: bounded count of {CLIENTS // 1000}k", count * ms,
                       "ms", "unordered page", unordered * ms, target=SORT_TARGET, higher_is_better=False))
    return rows


def _find_rows(stamp: str) -> list[Result]:
    from practicegate.accounts.models import Membership
    from practicegate.accounts.services import account_signup
    from practicegate.core.scoping import account_scope
    from practicegate.core.sections import full_levels

    rng = random.Random(29)
    accounts = []
    for i in range(ACCOUNTS):
        account = account_signup(provider_name=f"Bench Find {stamp} {i:02d}", email="bench@example.org",
                                 username=f"benchfind{stamp}x{i:02d}", password="bench passphrase for find 1")
        with account_scope(account):
            _load(account, CLIENTS_PER_JOINED_ACCOUNT, rng, marker="Okonkwo")
        accounts.append(account)
    timings, queries = {}, {}
    for count in (1, ACCOUNTS):
        owner = accounts[0].owner if count == 1 else None
        if owner is None:
            from practicegate.accounts.models import User

            owner = User.objects.create(username=f"benchfind{stamp}master", email="bench@example.org")
            Membership.objects.bulk_create([Membership(user=owner, account=a, levels=full_levels()) for a in accounts])
        http = HttpClient()
        http.force_login(owner, backend="practicegate.accounts.backends.UsernameBackend")

        def search(http=http):
            response = http.get("/clients/find/", {"q": "okonkwo"})
            assert response.status_code == 200

        search()
        with CaptureQueriesContext(connection) as captured:
            search()
        queries[count] = len(captured)
        timings[count] = _best(search, repeat=10)
    ms = 1000
    return [
        Result(f"find a client: {ACCOUNTS} accounts vs 1 ({CLIENTS_PER_JOINED_ACCOUNT} clients each)",
               timings[ACCOUNTS] * ms, "ms", "1 account", timings[1] * ms, higher_is_better=False),
        Result(f"find a client: queries, {ACCOUNTS} accounts vs 1", queries[ACCOUNTS], "queries", "1 account",
               queries[1], target=1, higher_is_better=False),
    ]


def run() -> list[Result]:
    from practicegate.accounts.services import account_signup
    from practicegate.core.scoping import account_scope

    stamp = str(int(time.time() * 1000))[-8:]
    account = account_signup(provider_name=f"Bench Clients {stamp}", email="bench@example.org",
                             username=f"benchclients{stamp}", password="bench passphrase for clients 1")
    with account_scope(account):
        rows = _list_rows(account)
        rows += _sort_rows(account)
    return rows + _find_rows(stamp)
