"""Check a long chain on several cores: each process re-hashes one stretch of it.

Every stored event carries the hash it links to (prev_hash), so a stretch can be
re-hashed without the one before it; the stretches are then joined by checking
that each starts from the hash the previous one ended on. This only ever
answers "intact": at any doubt the caller walks the chain in one process, which
also names what is wrong.
"""

from __future__ import annotations

import multiprocessing
import os

from django.conf import settings
from django.db import connection, connections

from practicegate.audit.fastwalk import fast_walk
from practicegate.audit.models import AuditEvent
from practicegate.audit.walk import Walk

MAX_WORKERS = 4


def _can_fork() -> bool:
    if not hasattr(os, "fork") or connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def _segment(task):
    """Worker: re-hash events first..last of a chain; return (first row's link, Walk)."""
    chain_id, first, last, start_hash, watch = task
    head = (AuditEvent.objects.filter(chain_id=chain_id, seq__gte=first, seq__lte=last).order_by("seq")
            .values_list("prev_hash", flat=True).first())
    if head is None:
        return None, None
    claimed = head  # the prev_hash the stretch's first event links to
    result = fast_walk(chain_id, after_seq=first - 1, until_seq=last, running=start_hash or claimed, watch=watch)
    connection.close()
    return claimed, result


def walk_chain(chain_id: int, *, after_seq: int, after_hash: str, head_seq: int, watch, workers=None):
    """Walk events after_seq+1..head_seq on several processes; a Walk if intact, else None."""
    total = head_seq - after_seq
    workers = min(workers or os.cpu_count() or 1, MAX_WORKERS)
    # Below the setting's length, starting processes costs more than it saves.
    if total < settings.AUDIT_PARALLEL_MIN_EVENTS or workers < 2 or not _can_fork():
        return None
    size = -(-total // workers)
    ranges = [(lo, min(lo + size - 1, head_seq)) for lo in range(after_seq + 1, head_seq + 1, size)]
    tasks = [(chain_id, lo, hi, after_hash if i == 0 else None, frozenset(s for s in watch if lo <= s <= hi))
             for i, (lo, hi) in enumerate(ranges)]
    connections.close_all()  # each process opens its own connection; none may share a socket
    with multiprocessing.get_context("fork").Pool(len(tasks)) as pool:
        results = pool.map(_segment, tasks)

    running, digests = after_hash, {}
    for (_lo, hi), (claimed, result) in zip(ranges, results, strict=True):
        if result is None or result.bad_row is not None or result.last != hi or claimed != running:
            return None
        digests.update(result.digests)
        running = result.running
    if AuditEvent.objects.filter(chain_id=chain_id, seq__gt=head_seq).exists():
        return None  # events past the head: let the single walk say what they are
    return Walk(head_seq, running, digests)
