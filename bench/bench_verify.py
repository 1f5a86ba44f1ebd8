"""`practicegate audit verify` over a 1,000,000-event chain against the bare hashing loop.

The baselines hash the same event fields in memory (no database, no checks):
once with json.dumps(sort_keys) and once with orjson. The targets: at least 0.5x of the
json.dumps loop, and 150,000 events per second. The orjson loop is reported, not a target:
it reads no database, and verify does (decided with the scale work).
Run alone with `python -m bench --only verify`.
"""

from __future__ import annotations

import time

from django.db import connection

from bench import Result
from bench.bench_audit import EVENTS, _baseline, _generate, _json_dumps, _orjson_dumps


def run() -> list[Result]:
    from practicegate.accounts.models import Account, User
    from practicegate.audit import keys
    from practicegate.audit.models import AuditChain
    from practicegate.audit.verify import verify_chain

    user = User.objects.create(username="bench-verify-user")
    account = Account.objects.create(slug="bench-verify", name="Bench", email="b@example.org", owner=user)
    chain = AuditChain.objects.create(account=account)
    _generate(chain, account, user)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")

    def timed_verify(parallel: bool) -> float:
        started = time.perf_counter()
        problems = verify_chain(chain, public_keys=[keys.public_key()], parallel=parallel)
        rate = EVENTS / (time.perf_counter() - started)
        if problems:
            raise AssertionError(f"the generated chain does not verify: {problems[:3]}")
        return rate

    json_rate = _baseline(_json_dumps)
    orjson_rate = _baseline(_orjson_dumps)
    single_rate = timed_verify(parallel=False)
    verify_rate = timed_verify(parallel=True)  # what `practicegate audit verify` does
    orjson_rate = max(orjson_rate, _baseline(_orjson_dumps))  # best of two, around the verify runs
    return [
        # The target: the same loop with orjson, the fastest serializer we know of.
        Result(f"audit verify {EVENTS:,} events (audit verify)", verify_rate, "events/s",
               "bare orjson(sort_keys)+SHA-256 loop (reported: it reads no database)", orjson_rate,
               absolute_target=150_000),
        Result(f"audit verify {EVENTS:,} events (audit verify)", verify_rate, "events/s",
               "bare json.dumps(sort_keys)+SHA-256 loop", json_rate, target=0.5),
        Result(f"audit verify {EVENTS:,} events, one process", single_rate, "events/s",
               "bare orjson(sort_keys)+SHA-256 loop", orjson_rate),
    ]
