"""The numbers in docs/scaling.md, measured on PostgreSQL (not part of `make bench`).

    SCALE_PG_URL=postgres://postgres@127.0.0.1:5432/practicegate_scale .venv/bin/python -m bench.scale

Creates that database (dropping it first), writes events through record() the way
requests do (IP, browser user agent, request id, a path in the detail), measures
record() in one process and in several at once, multiplies the rows with
INSERT ... SELECT to measure table and index sizes per event, then drops the database.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

URL = os.environ.get("SCALE_PG_URL", "postgres://postgres@127.0.0.1:5432/practicegate_scale")
ACCOUNTS = 20
PER_ACCOUNT = 150
SERIAL = 1500
PARALLEL = 4
PER_WORKER = 600
TARGET_ROWS = 400_000
UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.0.0 Safari/537.36")
SECTIONS = ("clients", "diagnosis_codes", "billing_codes", "payers", "reports", "account_access")


def admin(sql: str) -> None:
    import psycopg

    parts = urlsplit(URL)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def fake_request(account, i: int):
    from django.test import RequestFactory

    request = RequestFactory().get(f"/a/{account.slug}/clients/{1000 + i}/", HTTP_USER_AGENT=UA,
                                   REMOTE_ADDR=f"198.51.100.{i % 250}")
    request.request_id = str(uuid.uuid4())
    return request


def write(account, actor, count: int, offset: int = 0) -> float:
    from practicegate.audit.context import audit_context
    from practicegate.audit.services import record

    started = time.perf_counter()
    for i in range(offset, offset + count):
        request = fake_request(account, i)
        record("page.view", account=account, actor=actor, context=audit_context(request), section=SECTIONS[i % len(SECTIONS)],
               detail={"path": request.path})
    return count / (time.perf_counter() - started)


def _worker(args):
    account_id, count, offset = args
    from django.db import connection

    from practicegate.accounts.models import Account

    account = Account.objects.select_related("owner").get(pk=account_id)
    write(account, account.owner, count, offset)
    connection.close()


def parallel_rate(account_ids: list[int]) -> float:
    from django.db import connections

    connections.close_all()
    tasks = [(aid, PER_WORKER, 100_000 + n * PER_WORKER) for n, aid in enumerate(account_ids)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(len(tasks)) as pool:
        pool.map(_worker, tasks)
    return len(tasks) * PER_WORKER / (time.perf_counter() - started)


def sizes() -> tuple[int, dict[str, int], int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_auditevent")
        cursor.execute("SELECT count(*), pg_relation_size('audit_auditevent'), "
                       "pg_total_relation_size('audit_auditevent') - pg_indexes_size('audit_auditevent') "
                       "- pg_relation_size('audit_auditevent') FROM audit_auditevent")
        rows, heap, toast = cursor.fetchone()
        cursor.execute("SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
                       "WHERE indrelid = 'audit_auditevent'::regclass ORDER BY 2 DESC")
        indexes = dict(cursor.fetchall())
    return rows, indexes, heap, toast


def time_index_build() -> float:
    """How long a plain CREATE INDEX (which blocks inserts) takes on the events table."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("CREATE INDEX scale_probe ON audit_auditevent (account_id, section, seq DESC)")
        seconds = time.perf_counter() - started
        cursor.execute("DROP INDEX scale_probe")
    return seconds


def multiply(target: int) -> None:
    """Copy the recorded rows with shifted sequence numbers until the table holds `target` rows."""
    from django.db import connection

    columns = ("chain_id, account_id, at, actor_id, actor_username, channel, action, section, target_type, "
               "target_id, outcome, ip, user_agent, request_id, detail, prev_hash, hash")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(seq) FROM audit_auditevent")
        base, top = cursor.fetchone()
        copies = max(0, target // base - 1)
        for k in range(1, copies + 1):
            # New ids, request ids and hashes, as real events would have (same lengths).
            cursor.execute(
                f"INSERT INTO audit_auditevent (seq, {columns.replace('request_id', 'request_id')}) "
                f"SELECT seq + %s, chain_id, account_id, at + make_interval(days => %s), actor_id, actor_username, "
                "channel, action, section, target_type, target_id, outcome, ip, user_agent, gen_random_uuid()::text, "
                "detail, md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text) "
                "FROM audit_auditevent WHERE seq <= %s", [k * top, k, top])


def main() -> None:
    name = urlsplit(URL).path.lstrip("/")
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practicegate.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from practicegate.accounts.models import Account, User

        call_command("migrate", verbosity=0)
        accounts = []
        for n in range(ACCOUNTS):
            user = User.objects.create(username=f"clinician-{n:02d}")
            accounts.append(Account.objects.create(slug=f"practice-{n:02d}", name=f"Practice {n}",
                                                   email="p@example.org", owner=user))
        serial = write(accounts[0], accounts[0].owner, SERIAL)
        for account in accounts[1:]:
            write(account, account.owner, PER_ACCOUNT)
        spread = parallel_rate([a.pk for a in accounts[1:1 + PARALLEL]])
        same = parallel_rate([accounts[0].pk] * PARALLEL)
        recorded, _, heap0, _ = sizes()
        multiply(TARGET_ROWS)
        rows, indexes, heap, toast = sizes()
        index_seconds = time_index_build()
        print(f"record(), one process, one account: {serial:,.0f} events/s")
        print(f"record(), {PARALLEL} processes, {PARALLEL} accounts: {spread:,.0f} events/s in all")
        print(f"record(), {PARALLEL} processes, one account: {same:,.0f} events/s in all")
        print(f"recorded through record(): {recorded:,} events, heap {heap0 / recorded:,.0f} bytes/event")
        print(f"after INSERT ... SELECT: {rows:,} events")
        print(f"CREATE INDEX (account, section, seq) on them: {index_seconds:.2f} s "
              f"({index_seconds / rows * 1e6:.2f} s per million events)")
        print(f"| table heap | {heap / rows:,.0f} | {heap / 2**20:,.1f} MiB |")
        print(f"| TOAST | {toast / rows:,.1f} | {toast / 2**20:,.1f} MiB |")
        total_indexes = sum(indexes.values())
        for index, size in indexes.items():
            print(f"| index {index} | {size / rows:,.1f} | {size / 2**20:,.1f} MiB |")
        print(f"| all indexes | {total_indexes / rows:,.0f} | {total_indexes / 2**20:,.1f} MiB |")
        print(f"| table + indexes | {(heap + toast + total_indexes) / rows:,.0f} | "
              f"{(heap + toast + total_indexes) / 2**20:,.1f} MiB |")
    finally:
        from django.db import connections

        connections.close_all()
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
