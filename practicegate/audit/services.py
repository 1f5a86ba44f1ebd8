"""`record()`: the one way anything writes to the activity log."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F

from practicegate.audit import chain as chainlib
from practicegate.audit.actions import ACTIONS
from practicegate.audit.models import AuditChain, AuditEvent, Channel, Outcome

# Keys whose values must never reach the log, whatever a caller passes.
_SECRET_MARKERS = ("password", "token", "secret", "otp", "code_value", "key")


class UnknownAction(ValueError):
    pass


def _scrub(detail: dict | None) -> dict:
    clean = {}
    for key, value in (detail or {}).items():
        if any(marker in key.lower() for marker in _SECRET_MARKERS):
            clean[key] = "[redacted]"
        elif isinstance(value, dict):
            clean[key] = _scrub(value)
        else:
            clean[key] = value
    return clean


def _request_context(request) -> dict:
    if request is None:
        return {"ip": "", "user_agent": "", "request_id": ""}
    meta = request.META
    return {
        "ip": (getattr(request, "client_ip", None) or meta.get("REMOTE_ADDR") or "")[:45],
        "user_agent": (meta.get("HTTP_USER_AGENT") or "")[:300],
        "request_id": getattr(request, "request_id", "") or "",
    }


def chain_for(account) -> AuditChain:
    if account is None:
        chain, _ = AuditChain.objects.get_or_create(account=None)
    else:
        chain, _ = AuditChain.objects.get_or_create(account=account)
    return chain


@transaction.atomic
def record(
    action: str,
    *,
    account,
    actor=None,
    request=None,
    channel: str | None = None,
    section: str = "",
    target=None,
    target_type: str = "",
    target_id: str | int = "",
    outcome: str = Outcome.SUCCESS,
    detail: dict | None = None,
    actor_username: str | None = None,
) -> AuditEvent:
    """Append one event to `account`'s chain (the system chain when account is None).

    Runs inside the caller's transaction, so a change and its event commit together.
    """
    if action not in ACTIONS:
        raise UnknownAction(action)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor_username is None:
        actor_username = actor.get_username() if actor is not None else ""
    if channel is None:
        channel = Channel.WEB if request is not None else Channel.CLI
    ctx = _request_context(request)

    chain = chain_for(account)
    # The UPDATE takes the chain's row lock (PostgreSQL) or the write lock (SQLite)
    # before we read the head, so concurrent appends queue and the sequence stays gapless.
    AuditChain.objects.filter(pk=chain.pk).update(seq=F("seq") + 1)
    seq, prev_hash = AuditChain.objects.filter(pk=chain.pk).values_list("seq", "head_hash").get()

    at = datetime.now(UTC)
    detail = _scrub(detail)
    fields = chainlib.event_fields(
        seq=seq,
        account_id=account.pk if account is not None else None,
        at=at,
        actor_id=actor.pk if actor is not None else None,
        actor_username=actor_username[:150],
        channel=str(channel),
        action=action,
        section=section or "",
        target_type=str(target_type or "")[:64],
        target_id=str(target_id if target_id is not None else "")[:64],
        outcome=str(outcome),
        detail=detail,
        **ctx,
    )
    digest = chainlib.link(prev_hash, chainlib.canonical(fields))
    event = AuditEvent.objects.create(
        chain=chain,
        account=account,
        seq=seq,
        at=at,
        actor=actor,
        actor_username=fields["actor_username"],
        channel=fields["channel"],
        action=action,
        section=fields["section"],
        target_type=fields["target_type"],
        target_id=fields["target_id"],
        outcome=fields["outcome"],
        detail=detail,
        prev_hash=prev_hash,
        hash=digest,
        **ctx,
    )
    AuditChain.objects.filter(pk=chain.pk).update(head_hash=digest)
    if request is not None:
        request.audit_events = getattr(request, "audit_events", 0) + 1
    every = settings.AUDIT_CHECKPOINT_EVERY
    if every and seq % every == 0:
        _schedule_checkpoint(chain.pk, seq)
    return event


def _schedule_checkpoint(chain_id: int, seq: int) -> None:
    """Only note that chain `chain_id` passed another AUDIT_CHECKPOINT_EVERY events.

    Signing is `practicegate audit checkpoint`, run by a timer (docs/operations.md):
    a request never verifies or signs, and app servers need no private key.
    """
    import logging

    logging.getLogger(__name__).debug("activity-log chain %s reached seq %s: a checkpoint is due", chain_id, seq)
