"""Eight processes calling record() into one account against eight into eight accounts
(PostgreSQL; SQLite has one writer at a time whatever the account). One commit per event."""

from __future__ import annotations

import multiprocessing
import time

from django.db import connection

from bench import Result

WRITERS = 8
EACH = 150
ROUNDS = 2


def _writer(account_id: int, start, done) -> None:
    from practicegate.accounts.models import Account
    from practicegate.audit.services import record

    connection.close()  # a fresh connection per process
    account = Account.objects.get(pk=account_id)
    start.wait()
    for i in range(EACH):
        record("page.view", account=account, section="reports", detail={"i": i})
    connection.close()
    done.put(1)


def _rate(account_ids: list[int]) -> float:
    context = multiprocessing.get_context("fork")
    start, done = context.Barrier(len(account_ids) + 1), context.Queue()
    connection.close()
    procs = [context.Process(target=_writer, args=(a, start, done)) for a in account_ids]
    for p in procs:
        p.start()
    start.wait()
    started = time.perf_counter()
    for _ in procs:
        done.get(timeout=300)
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a writer failed with exit code {p.exitcode}")
    return len(account_ids) * EACH / elapsed


def run() -> list[Result]:
    if connection.vendor != "postgresql":
        return []
    from practicegate.accounts.models import Account, User
    from practicegate.audit.models import AuditEvent
    from practicegate.audit.services import record
    from practicegate.audit.verify import verify_all

    user = User.objects.create(username="bench-contention")
    accounts = [Account.objects.create(slug=f"bench-contention-{i}", name=f"Contention {i}", email="c@example.org",
                                       owner=user) for i in range(WRITERS)]
    for account in accounts:
        record("page.view", account=account)  # chains exist before the clock starts
    one, many = [], []
    for _ in range(ROUNDS):
        one.append(_rate([accounts[0].pk] * WRITERS))
        many.append(_rate([a.pk for a in accounts]))
    seqs = list(AuditEvent.objects.filter(account=accounts[0]).order_by("seq").values_list("seq", flat=True))
    if seqs != list(range(1, len(seqs) + 1)) or verify_all(account=accounts[0])[1]:
        raise AssertionError("the shared chain has a gap or does not verify")
    return [Result(f"record(): {WRITERS} writers in one account", max(one), "events/s",
                   f"{WRITERS} writers in {WRITERS} accounts", max(many), target=0.8)]
