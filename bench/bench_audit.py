"""Activity log: verifying a 1,000,000-event chain against the bare hashing loop, and record().

The chain is generated set-based: real hashes computed in Python, rows loaded
with COPY (PostgreSQL) or executemany (SQLite); the insert-only triggers allow
that. The baselines hash the same event fields in memory (no database), once
with json.dumps(sort_keys) and once with orjson: verify must reach half the
faster one's speed, and 150,000 events per second.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

import orjson
from django.db import connection, transaction

from bench import Result

EVENTS = 1_000_000
BATCH = 20_000
BASELINE_SAMPLE = 200_000
RECORDS = 2_000
COLUMNS = ["chain_id", "account_id", "seq", "at", "actor_id", "actor_username", "channel", "action", "section",
           "target_type", "target_id", "outcome", "ip", "user_agent", "request_id", "detail", "prev_hash", "hash"]
START = datetime(2030, 1, 1, tzinfo=UTC)
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def _fields(seq: int, account_id: int, actor_id: int) -> dict:
    from practicegate.audit.chain import event_fields

    return event_fields(
        seq=seq, account_id=account_id, at=START + timedelta(milliseconds=7 * seq), actor_id=actor_id,
        actor_username="bench-user", channel="web", action="page.view" if seq % 7 else "account.update",
        section="reports", target_type="accounts.account" if seq % 7 == 0 else "", target_id=str(seq % 997),
        outcome="success", ip="203.0.113.7", user_agent=AGENT, request_id=f"{seq:08x}-4b1d-4e5f-9a0b-{seq:012x}",
        detail={"path": "/a/bench/reports/", "n": seq % 50} if seq % 7 else {"fields": ["name", "email"]},
    )


def _generate(chain, account, actor) -> str:
    """Insert EVENTS chained rows; return the head hash."""
    from practicegate.audit.chain import canonical, link
    from practicegate.audit.models import AuditChain

    prev = "0" * 64
    vendor = connection.vendor
    table = "audit_auditevent"
    for start in range(1, EVENTS + 1, BATCH):
        rows = []
        for seq in range(start, min(start + BATCH, EVENTS + 1)):
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
    AuditChain.objects.filter(pk=chain.pk).update(seq=EVENTS, head_hash=prev)
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


def _record_rate(account, actor) -> float:
    from practicegate.audit.services import record

    record("page.view", account=account, actor=actor, detail={"warm": 1})
    started = time.perf_counter()
    for i in range(RECORDS):
        record("page.view", account=account, actor=actor, section="reports", detail={"i": i})
    return RECORDS / (time.perf_counter() - started)


def run() -> list[Result]:
    from practicegate.accounts.models import Account, User
    from practicegate.audit import keys
    from practicegate.audit.models import AuditChain
    from practicegate.audit.verify import verify_chain

    user = User.objects.create(username="bench-user")
    account = Account.objects.create(slug="bench-audit", name="Bench", email="b@example.org", owner=user)
    chain = AuditChain.objects.create(account=account)
    started = time.perf_counter()
    _generate(chain, account, user)
    generated = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")

    json_rate = _baseline(_json_dumps)
    orjson_rate = _baseline(_orjson_dumps)
    def timed_verify(parallel: bool) -> float:
        started = time.perf_counter()
        problems = verify_chain(chain, public_keys=[keys.public_key()], parallel=parallel)
        rate = EVENTS / (time.perf_counter() - started)
        if problems:
            raise AssertionError(f"the generated chain does not verify: {problems[:3]}")
        return rate

    single_rate = timed_verify(parallel=False)
    verify_rate = timed_verify(parallel=True)  # what `practicegate audit verify` does

    other = Account.objects.create(slug="bench-record", name="Bench record", email="b@example.org", owner=user)
    record_rate = _record_rate(other, user)
    return [
        # The baseline: stdlib canonical serialization (json.dumps, sort_keys) plus SHA-256.
        Result(f"audit verify {EVENTS:,} events (audit verify)", verify_rate, "events/s",
               "bare json.dumps(sort_keys)+SHA-256 loop", json_rate, target=0.5, absolute_target=150_000),
        # Reported, not a target: the same loop with orjson, the fastest serializer we know of.
        Result(f"audit verify {EVENTS:,} events (audit verify)", verify_rate, "events/s",
               "bare orjson(sort_keys)+SHA-256 loop", orjson_rate),
        Result(f"audit verify {EVENTS:,} events, one process", single_rate, "events/s",
               "bare json.dumps(sort_keys)+SHA-256 loop", json_rate),
        Result("audit record() into one account", record_rate, "events/s"),
        Result(f"audit generate {EVENTS:,} chained events (set-based)", EVENTS / generated, "events/s"),
    ]
