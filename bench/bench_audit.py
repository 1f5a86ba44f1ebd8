"""Activity log: the Activity Log's filters at 1,000,000 events against the same filters at
1,000; each page with the count of matching events at 1,000,000 against 100,000 (a count that
stops at its limit costs what finding that many matches costs, and stops growing once a log
holds them: flat from there on); and record() against the five-statement version (verifying
the chain: bench_verify).

The chain is generated set-based: real hashes computed in Python, rows loaded
with COPY (PostgreSQL) or executemany (SQLite); the insert-only triggers allow
that; bench_verify reuses the generator and the in-memory hashing baselines.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import orjson
from django.db import connection, transaction

from bench import Result

EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", 1_000_000))  # smaller for a quick try
BATCH = 20_000
BASELINE_SAMPLE = 200_000
SMALL = 1_000
MEDIUM = min(100_000, max(SMALL, EVENTS // 10))  # the count's baseline
RECORDS = 3_000
RECORD_ROUNDS = 5  # alternate old and new so a busy machine slows both alike
FILTER_REPEAT = 30
SECTIONS = ["reports", "payers", "settings", "codes", "usernames"]
COLUMNS = ["chain_id", "account_id", "seq", "at", "actor_id", "actor_username", "channel", "action", "section",
           "target_type", "target_id", "outcome", "ip", "user_agent", "request_id", "detail", "prev_hash", "hash"]
START = datetime(2030, 1, 1, tzinfo=UTC)
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def _fields(seq: int, account_id: int, actor_id: int) -> dict:
    from practicegate.audit.chain import event_fields

    return event_fields(
        seq=seq, account_id=account_id, at=START + timedelta(milliseconds=7 * seq), actor_id=actor_id,
        actor_username=f"bench-user{seq % 19}", channel="web", action="page.view" if seq % 7 else "account.update",
        section=SECTIONS[seq % 5], target_type="accounts.account" if seq % 7 == 0 else "", target_id=str(seq % 997),
        outcome="denied" if seq % 13 == 0 else "success", ip="203.0.113.7", user_agent=AGENT, request_id=f"{seq:08x}-4b1d-4e5f-9a0b-{seq:012x}",
        detail={"path": "/a/bench/reports/", "n": seq % 50} if seq % 7 else {"fields": ["name", "email"]},
    )


def _generate(chain, account, actor, events: int = EVENTS) -> str:
    """Insert `events` chained rows; return the head hash."""
    from practicegate.audit.chain import canonical, link
    from practicegate.audit.models import AuditChain

    prev = "0" * 64
    vendor = connection.vendor
    table = "audit_auditevent"
    for start in range(1, events + 1, BATCH):
        rows = []
        for seq in range(start, min(start + BATCH, events + 1)):
            f = _fields(seq, account.pk, actor.pk)
            digest = link(prev, canonical(f))
            at = START + timedelta(milliseconds=7 * seq)
            at_db = at.isoformat() if vendor == "postgresql" else str(at.replace(tzinfo=None))
            rows.append((chain.pk, account.pk, seq, at_db, actor.pk, f["actor_username"], f["channel"], f["action"],
                         f["section"], f["target_type"], f["target_id"], f["outcome"], f["ip"], f["user_agent"],
                         f["request_id"], json.dumps(f["detail"]), prev, digest))
            prev = digest
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})", rows)
    AuditChain.objects.filter(pk=chain.pk).update(seq=events, head_hash=prev,
                                                  head_at=START + timedelta(milliseconds=7 * events))
    return prev


def _baseline(dumps) -> float:
    """Events per second of the bare loop: serialize the fields and chain SHA-256, nothing else."""
    sample = [_fields(seq, 1, 1) for seq in range(1, BASELINE_SAMPLE + 1)]
    sha256 = hashlib.sha256
    prev = "0" * 64
    started = time.perf_counter()
    for fields in sample:
        prev = sha256(prev.encode() + dumps(fields)).hexdigest()
    return len(sample) / (time.perf_counter() - started)


def _json_dumps(fields) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _orjson_dumps(fields) -> bytes:
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)


def _record_rate(record, account, actor, count: int) -> float:
    """Events per second, each in its own transaction (one commit per event)."""
    started = time.perf_counter()
    for i in range(count):
        record("page.view", account=account, actor=actor, section="reports", detail={"i": i})
    return count / (time.perf_counter() - started)


# The events table's indexes before issue 14, against the ones it has now.
_OLD_ONLY = [
    ("audit_account_actor", "(account_id, actor_id, seq DESC)"), ("audit_actor_at", "(actor_id, at DESC)"),
    ("audit_account_at", "(account_id, at)"), ("audit_old_chain_id", "(chain_id)"),
    ("audit_old_account_id", "(account_id)"), ("audit_old_actor_id", "(actor_id)"),
    ("audit_account_target_id", "(account_id, target_id, seq DESC)"),
]
_NEW_ONLY = [("audit_target_type_set", "(account_id, target_type, seq DESC) WHERE NOT (target_type = '')"),
             ("audit_target_id_set", "(account_id, target_id, seq DESC) WHERE NOT (target_id = '')"),
             ("audit_target_set", "(account_id, target_type, target_id, seq DESC) WHERE NOT (target_type = '')"),
             ("audit_account_at_seq", "(account_id, at, seq)")]


@contextmanager
def _old_indexes():
    """Give the events table its fifteen indexes of before issue 14 for the baseline's turn."""
    def swap(drop, create):
        with connection.cursor() as cursor:
            for name, _ in drop:
                cursor.execute(f"DROP INDEX {name}")
            for name, columns in create:
                cursor.execute(f"CREATE INDEX {name} ON audit_auditevent {columns}")

    swap(_NEW_ONLY, _OLD_ONLY)
    try:
        yield
    finally:
        swap(_OLD_ONLY, _NEW_ONLY)


def _record_rates(user) -> tuple[float, float]:
    """(today's record(), the five-statement one with the old indexes): best of alternating rounds."""
    from bench.five_statement_record import record as five_statement_record
    from practicegate.accounts.models import Account
    from practicegate.audit.services import record

    new = Account.objects.create(slug="bench-record", name="Bench record", email="b@example.org", owner=user)
    old = Account.objects.create(slug="bench-record-5", name="Bench record 5", email="b@example.org", owner=user)
    record("page.view", account=new, actor=user)
    five_statement_record("page.view", account=old, actor=user)
    rates = {"new": [], "old": []}
    for _ in range(RECORD_ROUNDS):
        with _old_indexes():
            rates["old"].append(_record_rate(five_statement_record, old, user, RECORDS // RECORD_ROUNDS))
        rates["new"].append(_record_rate(record, new, user, RECORDS // RECORD_ROUNDS))
    return max(rates["new"]), max(rates["old"])


def _statements_per_event(account, actor) -> int:
    from django.test.utils import CaptureQueriesContext

    from practicegate.audit.services import record

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        record("page.view", account=account, actor=actor, section="reports")
    return len(queries.captured_queries)


def _filters(events: int) -> dict:
    """The Activity Log's filters and the combinations its form allows, scaled to a chain of `events`."""
    from practicegate.audit.selectors import EventFilter

    def at(seq):
        return START + timedelta(milliseconds=7 * seq)

    # An old stretch (the tenth to the fifth from the end): a scan from the newest end passes most rows.
    since, until = at(events // 10), at(events // 5)
    return {
        "no filter": EventFilter(),
        "username": EventFilter(username="BENCH-USER7"),
        "action": EventFilter(action="account.update"),
        "section": EventFilter(section="payers"),
        "outcome": EventFilter(outcome="denied"),
        "target type": EventFilter(target_type="accounts.account"),
        "target id": EventFilter(target_id="5"),
        "target type and id": EventFilter(target_type="accounts.account", target_id="7"),
        "date range": EventFilter(since=since, until=until),
        "date from": EventFilter(since=since),
        "date to": EventFilter(until=until),
        "date range and username": EventFilter(since=since, until=until, username="bench-user3"),
        "date range and action": EventFilter(since=since, until=until, action="account.update"),
        "date range and target type": EventFilter(since=since, until=until, target_type="accounts.account"),
        "username and action": EventFilter(username="bench-user7", action="account.update"),
        "username and section": EventFilter(username="bench-user3", section="payers"),
        "section and outcome": EventFilter(section="reports", outcome="denied"),
    }


def _page_times(big, big_flt, small, small_flt, size: int, **cursor) -> tuple[float, float]:
    """Best time of one page at each size, the two measured in turn so a busy moment slows both alike."""
    from practicegate.audit.selectors import account_events, events_page

    best = {"big": float("inf"), "small": float("inf")}
    for _ in range(FILTER_REPEAT):
        for name, account, flt in (("big", big, big_flt), ("small", small, small_flt)):
            started = time.perf_counter()
            page = events_page(account_events(account, flt), key="seq", size=size, **cursor)
            best[name] = min(best[name], time.perf_counter() - started)
            if len(page.rows) != size:
                raise AssertionError(f"filter {flt} found {len(page.rows)} events, not {size}")
    return best["big"], best["small"]


def _filter_results(big, small) -> list[Result]:
    """Each filter's first page at EVENTS against SMALL events, the same number of rows on both
    (a rare value matches fewer than a page at SMALL: both sides then fetch that many)."""
    from practicegate.audit.selectors import PAGE_SIZE, EventFilter, account_events

    results = []
    large, tiny = _filters(EVENTS), _filters(SMALL)
    for name, flt in {**large, "last page": EventFilter()}.items():
        cursor = {"before": 40} if name == "last page" else {}
        small_flt = tiny.get(name, flt)
        size = min(PAGE_SIZE, account_events(small, small_flt).filter(seq__lt=cursor.get("before", 2**62)).count())
        big_time, small_time = _page_times(big, flt, small, small_flt, size, **cursor)
        results.append(Result(f"Activity Log {name}, {EVENTS:,} events", big_time * 1000, "ms",
                              f"the same at {SMALL:,} events ({size} rows)", small_time * 1000,
                              target=1.5, higher_is_better=False))
    return results


def _page_and_count_times(big, big_flt, small, small_flt) -> tuple[float, float]:
    """Best time of the page as the Activity Log serves it (its first page and its count) at each size."""
    from practicegate.audit.selectors import account_events, count_events, events_page

    best = {"big": float("inf"), "small": float("inf")}
    for _ in range(FILTER_REPEAT):
        for name, account, flt in (("big", big, big_flt), ("small", small, small_flt)):
            started = time.perf_counter()
            events_page(account_events(account, flt), key="seq")
            count_events(account, flt)
            best[name] = min(best[name], time.perf_counter() - started)
    return best["big"], best["small"]


def _count_results(big, medium) -> list[Result]:
    """Each filter's first page and its count at EVENTS against MEDIUM events; page views left out,
    the page's default, alone and with the filters."""
    from dataclasses import replace

    from practicegate.audit.selectors import COUNT_LIMIT, EventFilter

    large, tiny = _filters(EVENTS), _filters(MEDIUM)
    cases = {**large, "no page views": EventFilter(page_views=False),
             "username, no page views": replace(large["username"], page_views=False),
             "section, no page views": replace(large["section"], page_views=False)}
    small_cases = {**tiny, "no page views": EventFilter(page_views=False),
                   "username, no page views": replace(tiny["username"], page_views=False),
                   "section, no page views": replace(tiny["section"], page_views=False)}
    results = []
    for name, flt in cases.items():
        big_time, small_time = _page_and_count_times(big, flt, medium, small_cases[name])
        results.append(Result(f"page + count: {name}, {EVENTS:,}", big_time * 1000, "ms",
                              f"the same at {MEDIUM:,} events (count up to {COUNT_LIMIT:,})", small_time * 1000,
                              target=1.5, higher_is_better=False))
    return results


def _index_sizes() -> tuple[int, float, float]:
    """(number of indexes, their MB, the table's MB) of the events table; PostgreSQL only."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(pg_relation_size(indexrelid)) FROM pg_index"
                       " WHERE indrelid = 'audit_auditevent'::regclass")
        count, size = cursor.fetchone()
        cursor.execute("SELECT pg_relation_size('audit_auditevent')")
        (table,) = cursor.fetchone()
    return int(count), float(size) / 2**20, float(table) / 2**20


def run() -> list[Result]:
    from practicegate.accounts.models import Account, User
    from practicegate.audit.models import AuditChain

    user = User.objects.create(username="bench-user")
    record_rate, old_rate = _record_rates(user)  # on a small table, before the million events
    account = Account.objects.create(slug="bench-audit", name="Bench", email="b@example.org", owner=user)
    chain = AuditChain.objects.create(account=account)
    started = time.perf_counter()
    _generate(chain, account, user)
    generated = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")

    small = Account.objects.create(slug="bench-small", name="Bench small", email="b@example.org", owner=user)
    _generate(AuditChain.objects.create(account=small), small, user, SMALL)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")
    filter_results = _filter_results(account, small)
    medium = Account.objects.create(slug="bench-medium", name="Bench medium", email="b@example.org", owner=user)
    _generate(AuditChain.objects.create(account=medium), medium, user, MEDIUM)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")
    count_results = _count_results(account, medium)

    statements = _statements_per_event(small, user)
    extra = []
    if connection.vendor == "postgresql":
        count, index_mb, table_mb = _index_sizes()
        extra.append(Result(f"events table: {count} indexes, MB (table {table_mb:,.0f} MB)", index_mb, "MB"))
    return [
        Result("audit record(), one commit per event", record_rate, "events/s",
               "five-statement record() and 15 indexes (before)", old_rate, target=2.0),
        # One statement on PostgreSQL (lock, hash, head and event together), three on SQLite.
        Result("audit record(): statements per event", statements, "statements",
               absolute_target=1 if connection.vendor == "postgresql" else 3, higher_is_better=False),
        *filter_results,
        *count_results,
        *extra,
        Result(f"audit generate {EVENTS:,} chained events (set-based)", EVENTS / generated, "events/s"),
    ]
