"""Signed checkpoints: the head of a chain (account, seq, hash, time) signed with Ed25519.

A checkpoint is only signed after the events since the previous checkpoint verify,
so a signature vouches that the chain was intact up to its sequence number, and
only once the signed events are on disk (durability.wait_until_durable()).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from practicegate.audit import keys
from practicegate.audit.durability import wait_until_durable
from practicegate.audit.models import AuditChain, AuditCheckpoint, AuditEvent
from practicegate.audit.verify import Problem, checkpoint_message, verify_chain


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
    # Sign only what is on disk (durability.py). The checkpoint's own commit below is
    # synchronous and would flush the events too, but the signature exists before it.
    wait_until_durable()
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
    """Sign the head of every chain that grew since its last checkpoint (`audit checkpoint`).

    Meant for a timer (systemd or cron, see docs/operations.md); raises on the first
    broken chain. Chains with nothing new cost nothing but the one query below.
    """
    last_signed = (AuditCheckpoint.objects.filter(chain=OuterRef("pk")).order_by("-seq").values("seq")[:1])
    due = (AuditChain.objects.select_related("account")
           .annotate(signed=Coalesce(Subquery(last_signed), Value(0)))
           .filter(seq__gt=F("signed")).order_by("id"))
    made = []
    for chain in due:
        checkpoint = sign_head(chain)
        if checkpoint is not None:
            made.append(checkpoint)
    return made
