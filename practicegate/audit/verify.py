"""Re-compute hash chains and check signed checkpoints: `practicegate audit verify`.

The report: which chains to walk, the signed checkpoints to hold them to, and a
Problem naming the first thing wrong. The walks themselves are elsewhere: the
fast one (fastwalk.py, or parallel.py on several cores for a long chain), and the
exact one (walk.py) that any doubt falls back to.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from practicegate.audit import chain as chainlib
from practicegate.audit import keys
from practicegate.audit.fastwalk import fast_walk
from practicegate.audit.models import AuditChain, AuditCheckpoint
from practicegate.audit.parallel import walk_chain
from practicegate.audit.spelling import HASHED, SEQ_INDEX
from practicegate.audit.walk import stream_rows


@dataclass(frozen=True)
class Problem:
    account: str  # slug, or "system"
    seq: int
    kind: str  # edited, missing, inserted, reordered, truncated, checkpoint
    message: str

    def __str__(self):
        return f"account {self.account}: seq {self.seq}: {self.kind}: {self.message}"



def checkpoint_message(*, account_id: int | None, seq: int, hash: str, signed_at) -> bytes:
    """The bytes a checkpoint signs."""
    return chainlib.canonical({
        "account": account_id, "seq": seq, "hash": hash,
        "signed_at": signed_at.isoformat(timespec="microseconds"),
    })


def chain_label(chain: AuditChain) -> str:
    return chain.account.slug if chain.account_id else "system"


def verify_chain(chain: AuditChain, *, public_keys=None, after_seq: int = 0,
                 after_hash: str = chainlib.GENESIS, check_head: bool = True,
                 parallel: bool = False) -> list[Problem]:
    """Return the chain's problems (empty when intact): the first break, plus checkpoint faults.

    `parallel` lets a long chain be checked on several cores first (see audit.parallel);
    any doubt there falls back to this single walk, which also names what is wrong.
    """
    label = chain_label(chain)
    problems: list[Problem] = []
    checkpoints = {}
    if public_keys is not None:
        checkpoints, problems = _checked_checkpoints(chain, label, public_keys)

    # The head as it is now; events appended while we stream are checked against it afterwards.
    chain.refresh_from_db(fields=["seq", "head_hash"])
    head_seq, head_hash = chain.seq, chain.head_hash
    watch = frozenset(checkpoints) | {head_seq}

    result = None
    if parallel:
        result = walk_chain(chain.pk, after_seq=after_seq, after_hash=after_hash, head_seq=head_seq, watch=watch)
    if result is None:
        result = fast_walk(chain.pk, after_seq=after_seq, running=after_hash, watch=watch)
    if result.bad_row is not None:
        problems.insert(0, _diagnose(chain, label, result.bad_row, result.last + 1, result.running,
                                     result.before_running, result.bad_digest))
        return problems
    last = result.last
    for seq in sorted(checkpoints):
        if seq > last:
            problems.insert(0, Problem(label, last + 1, "truncated",
                                       f"the chain ends at {last} but a signed checkpoint covers {seq}"))
            return problems
        if seq > after_seq and result.digests.get(seq) != checkpoints[seq]:
            problems.insert(0, Problem(label, seq, "edited", "the chain up to here was rewritten: its "
                                       "hash differs from the signed checkpoint"))
            return problems
    if not check_head:
        return problems
    if head_seq > last:
        problems.insert(0, Problem(label, last + 1, "missing",
                                   f"the chain ends at {last} but its head says {head_seq}"))
    elif head_seq > after_seq and result.digests.get(head_seq) != head_hash:
        problems.insert(0, Problem(label, head_seq, "edited", "this event differs from the chain's recorded head"))
    elif last > head_seq:
        chain.refresh_from_db(fields=["seq", "head_hash"])
        if chain.seq < last:
            problems.insert(0, Problem(label, chain.seq + 1, "inserted",
                                       f"events after the chain's head ({chain.seq}) were added behind its back"))
    return problems


def _fields_of_row(row) -> dict:
    fields = dict(zip(HASHED, row, strict=False))
    fields["detail"] = orjson.loads(fields["detail"])
    return fields


def _row_at(chain_id: int, seq: int):
    for row in stream_rows(chain_id, seq - 1):
        return row if row[SEQ_INDEX] == seq else None
    return None


def _diagnose(chain, label, row, expected, running, before_running, digest) -> Problem:
    """Name what is wrong at the first row that does not fit (slow path, runs once)."""
    n = len(HASHED)
    seq, prev_hash, stored_hash = row[SEQ_INDEX], row[n], row[n + 1]
    if seq > expected:
        gap = f"{expected}" if seq == expected + 1 else f"{expected} to {seq - 1}"
        return Problem(label, expected, "missing", f"event {gap} is gone (the next one present is {seq})")
    if seq < expected:
        return Problem(label, seq, "reordered", f"event {seq} appears again after {expected - 1}")
    if before_running is not None and prev_hash == before_running:
        return Problem(label, seq - 1, "inserted",
                       f"event {seq - 1} was inserted: event {seq} links to the one before it")
    following = _row_at(chain.pk, seq + 1)
    if following is not None and following[n] == running:
        if prev_hash == following[n + 1]:
            return Problem(label, seq, "reordered", f"events {seq} and {seq + 1} are in each other's place")
        return Problem(label, seq, "inserted", f"event {seq} was inserted: event {seq + 1} links to the one before it")
    if prev_hash != running:
        if chainlib.link(prev_hash, chainlib.canonical(_fields_of_row(row))) == stored_hash:
            return Problem(label, seq, "missing",
                           "this event links to an event that is not in the chain (edited or removed before it)")
        return Problem(label, seq, "edited", "its link to the previous event was changed")
    return Problem(label, seq, "edited", "its contents no longer match its hash")


def _checked_checkpoints(chain, label, public_keys) -> tuple[dict[int, str], list[Problem]]:
    """Checkpoints whose signature verifies ({seq: hash}), and a problem for each that does not."""
    by_id = {keys.key_id(k): k for k in public_keys}
    good: dict[int, str] = {}
    problems = []
    for cp in AuditCheckpoint.objects.filter(chain=chain).order_by("seq"):
        key = by_id.get(cp.key_id)
        message = checkpoint_message(account_id=cp.account_id, seq=cp.seq, hash=cp.hash, signed_at=cp.signed_at)
        if key is None:
            problems.append(Problem(label, cp.seq, "checkpoint", f"signed by unknown key {cp.key_id}"))
        elif cp.account_id != chain.account_id or not keys.signature_valid(key, message, cp.signature):
            problems.append(Problem(label, cp.seq, "checkpoint", "its signature does not verify (forged or edited)"))
        else:
            good[cp.seq] = cp.hash
    return good, problems


def verify_all(*, account=None, public_keys=None, parallel: bool = False) -> tuple[int, list[Problem]]:
    """Verify every chain (or one account's). Return (events checked, problems)."""
    if public_keys is None:
        public_keys = keys.verification_keys()
    chains = AuditChain.objects.select_related("account").order_by("id")
    if account is not None:
        chains = chains.filter(account=account)
    problems: list[Problem] = []
    checked = 0
    for chain in chains:
        problems.extend(verify_chain(chain, public_keys=public_keys, parallel=parallel))
        checked += chain.seq
    return checked, problems


@dataclass(frozen=True)
class LogCheck:
    """What a check of one account's chain found: intact or not, how far it reached, the first problem."""

    intact: bool
    through_seq: int  # the chain's head when it was checked: events 1 to this were re-computed
    problem: str = ""  # the first problem, in words (empty when intact)
    checkpoints: bool = True  # False: no public key on this server, so signed checkpoints were not checked


def verify_account(account) -> LogCheck:
    """Re-compute one account's whole chain and hold it to its signed checkpoints, as
    `audit verify --account` does (the same walk, on one core: this runs inside a request).
    Without any public key here the chain is still re-computed, and the answer says so."""
    chain = AuditChain.objects.filter(account=account).first()
    if chain is None:
        return LogCheck(intact=True, through_seq=0)
    public_keys = keys.verification_keys() or None
    problems = verify_chain(chain, public_keys=public_keys)  # it reads the head it checks to
    checked = public_keys is not None
    if problems:
        first = problems[0]
        return LogCheck(intact=False, through_seq=chain.seq, problem=f"event {first.seq}: {first.message}",
                        checkpoints=checked)
    return LogCheck(intact=True, through_seq=chain.seq, checkpoints=checked)
