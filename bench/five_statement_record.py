"""The record() PracticeGate had before issue 14, kept as the benchmark's baseline only.

Five statements per event: get_or_create of the chain, UPDATE seq, SELECT the
head, INSERT, UPDATE head, in a savepoint-capable atomic block. Same hashing,
same table, same indexes as today's record().
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F

from practicegate.audit import chain as chainlib
from practicegate.audit.models import AuditChain, AuditEvent, Channel, Outcome


@transaction.atomic
def record(action: str, *, account, actor=None, section: str = "", detail: dict | None = None) -> AuditEvent:
    chain, _ = AuditChain.objects.get_or_create(account=account)
    AuditChain.objects.filter(pk=chain.pk).update(seq=F("seq") + 1)
    seq, prev_hash = AuditChain.objects.filter(pk=chain.pk).values_list("seq", "head_hash").get()
    at = datetime.now(UTC)
    ctx = {"ip": "", "user_agent": "", "request_id": ""}
    fields = chainlib.event_fields(
        seq=seq, account_id=account.pk, at=at, actor_id=actor.pk if actor else None,
        actor_username=actor.get_username() if actor else "", channel=Channel.CLI, action=action,
        section=section, target_type="", target_id="", outcome=Outcome.SUCCESS, detail=detail or {}, **ctx,
    )
    digest = chainlib.link(prev_hash, chainlib.canonical(fields))
    event = AuditEvent.objects.create(
        chain=chain, account=account, seq=seq, at=at, actor=actor, actor_username=fields["actor_username"],
        channel=fields["channel"], action=action, section=section, target_type="", target_id="",
        outcome=fields["outcome"], detail=detail or {}, prev_hash=prev_hash, hash=digest, **ctx,
    )
    AuditChain.objects.filter(pk=chain.pk).update(head_hash=digest, head_at=at)
    return event
