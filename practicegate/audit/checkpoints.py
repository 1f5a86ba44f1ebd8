"""Signed checkpoints: the head of a chain (account, seq, hash, time) signed with Ed25519.

A checkpoint is only signed after the events since the previous checkpoint verify,
so a signature vouches that the chain was intact up to its sequence number.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.db import IntegrityError, transaction

from practicegate.audit import keys
from practicegate.audit.models import AuditChain, AuditCheckpoint, AuditEvent
from practicegate.audit.verify import Problem, checkpoint_message, verify_chain

log = logging.getLogger(__name__)


class ChainBroken(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def sign_head(chain: AuditChain, upto: int | None = None) -> AuditCheckpoint | None:
    """Verify the events since the last checkpoint, then sign the chain's last event
    (or event `upto`). Returns None when that event is already signed or absent.
    """
    events = AuditEvent.objects.filter(chain=chain)
    if upto is not None:
        events = events.filter(seq__lte=upto)
    head = events.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        return None
    seq, digest = head
    previous = AuditCheckpoint.objects.filter(chain=chain, seq__lte=seq).order_by("-seq").first()
    if previous is not None and previous.seq == seq:
        return None
    problems = verify_chain(
        chain,
        after_seq=previous.seq if previous else 0,
        after_hash=previous.hash if previous else "0" * 64,
        check_head=False,
    )
    problems = [p for p in problems if p.seq <= seq]
    if problems:
        raise ChainBroken(problems)
    signed_at = datetime.now(UTC)
    message = checkpoint_message(account_id=chain.account_id, seq=seq, hash=digest, signed_at=signed_at)
    key_id, signature = keys.sign(message)
    try:
        with transaction.atomic():
            return AuditCheckpoint.objects.create(
                chain=chain, account_id=chain.account_id, seq=seq, hash=digest,
                signed_at=signed_at, key_id=key_id, signature=signature,
            )
    except IntegrityError:  # another process signed the same head first
        return None


def checkpoint_all() -> list[AuditCheckpoint]:
    """Sign every chain's head (`practicegate audit checkpoint`); raise on the first broken chain."""
    made = []
    for chain in AuditChain.objects.select_related("account").order_by("id"):
        checkpoint = sign_head(chain)
        if checkpoint is not None:
            made.append(checkpoint)
    return made


def checkpoint_chain(chain_id: int, seq: int | None = None) -> None:
    """The automatic checkpoint `record()` schedules every AUDIT_CHECKPOINT_EVERY events.

    Runs after the commit of the user's request: a failure here must not turn a
    saved change into an error page, so it is logged (and `verify` will report it).
    """
    try:
        chain = AuditChain.objects.select_related("account").get(pk=chain_id)
        sign_head(chain, upto=seq)
    except ChainBroken as exc:
        log.error("activity log chain %s is broken, checkpoint refused: %s", chain_id, exc)
    except Exception:
        log.exception("automatic checkpoint of chain %s failed", chain_id)
