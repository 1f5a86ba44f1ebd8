"""`record()`: the one way anything writes to the activity log."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

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


_table = AuditChain._meta.db_table
_ADVANCE = {
    True: f"UPDATE {_table} SET seq = seq + 1 WHERE account_id IS NULL RETURNING id, seq, head_hash, head_at",
    False: f"UPDATE {_table} SET seq = seq + 1 WHERE account_id = %s RETURNING id, seq, head_hash, head_at",
}
_SET_HEAD = f"UPDATE {_table} SET head_hash = %s, head_at = %s WHERE id = %s"
_EVENT_FIELDS = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
_INSERT = (f"INSERT INTO {AuditEvent._meta.db_table} ({', '.join(f.column for f in _EVENT_FIELDS)})"
           f" VALUES ({', '.join(['%s'] * len(_EVENT_FIELDS))}) RETURNING id")


def _insert(event: AuditEvent) -> None:
    """INSERT the event with a statement built once (the ORM would compile it on every call)."""
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in _EVENT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, values)
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


def _as_utc(value) -> datetime | None:
    """A timestamp read back through a raw cursor (SQLite gives naive UTC, PostgreSQL aware)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _advance(account) -> tuple[int, int, str, datetime | None]:
    """Take the chain's lock and the next sequence number: (chain id, seq, head hash, head time).

    The chain row is found from the account, so this is one statement; the row is
    created (once per account) only when the UPDATE finds none.
    """
    system = account is None
    params = [] if system else [account.pk]
    with connection.cursor() as cursor:
        cursor.execute(_ADVANCE[system], params)
        row = cursor.fetchone()
        if row is None:
            chain_for(account)
            cursor.execute(_ADVANCE[system], params)
            row = cursor.fetchone()
    chain_id, seq, head_hash, head_at = row
    return chain_id, seq, head_hash, _as_utc(head_at)


@transaction.atomic(savepoint=False)
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
    Three statements: advance the chain (its row lock or SQLite's write lock queues
    concurrent appends, so the sequence stays gapless), insert the event, store the head.
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

    chain_id, seq, prev_hash, head_at = _advance(account)
    # Never before the previous event: the Activity Log turns a date range into a
    # sequence-number range, which needs `at` non-decreasing along the chain.
    at = datetime.now(UTC)
    if head_at is not None and at < head_at:
        at = head_at
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
    event = AuditEvent(
        chain_id=chain_id,
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
    _insert(event)
    with connection.cursor() as cursor:
        cursor.execute(_SET_HEAD, [digest, connection.ops.adapt_datetimefield_value(at), chain_id])
    if request is not None:
        request.audit_events = getattr(request, "audit_events", 0) + 1
    every = settings.AUDIT_CHECKPOINT_EVERY
    if every and seq % every == 0:
        _schedule_checkpoint(chain_id, seq)
    return event


def _schedule_checkpoint(chain_id: int, seq: int) -> None:
    """Sign event `seq` of this chain once the transaction commits (see audit.checkpoints)."""
    from practicegate.audit import checkpoints

    transaction.on_commit(lambda: checkpoints.checkpoint_chain(chain_id, seq))
