"""Canonical serialization and hashing of events: the chain's arithmetic."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import orjson

GENESIS = "0" * 64
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def canonical(fields: dict) -> bytes:
    """Serialize an event's fields deterministically (sorted keys, UTF-8, no spaces)."""
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)


def link(prev_hash: str, payload: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + payload).hexdigest()


def _members(fields: dict) -> bytes:
    """The canonical object of `fields` without its braces (b"" for no fields)."""
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)[1:-1]


def canonical_around_at_and_seq(fields: dict) -> tuple[bytes, bytes, bytes]:
    """canonical(fields) in three pieces around the values of "at" and "seq", which the
    database fills in under the chain's lock (services.record on PostgreSQL):

        canonical(fields) == p1 + at.isoformat(timespec="microseconds") + p2 + str(seq) + p3

    Every other value is serialized here, by orjson, so escaping is the same as canonical()'s.
    """
    rest = {k: v for k, v in fields.items() if k not in ("at", "seq")}
    before = _members({k: v for k, v in rest.items() if k < "at"})
    between = _members({k: v for k, v in rest.items() if "at" < k < "seq"})
    after = _members({k: v for k, v in rest.items() if k > "seq"})
    p1 = b"{" + (before + b"," if before else b"") + b'"at":"'
    p2 = b'",' + (between + b"," if between else b"") + b'"seq":'
    p3 = (b"," + after if after else b"") + b"}"
    return p1, p2, p3


def event_fields(
    *,
    seq: int,
    account_id: int | None,
    at: datetime,
    actor_id: int | None,
    actor_username: str,
    channel: str,
    action: str,
    section: str,
    target_type: str,
    target_id: str,
    outcome: str,
    ip: str,
    user_agent: str,
    request_id: str,
    detail: dict,
) -> dict:
    return {
        "seq": seq,
        "account": account_id,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_username": actor_username,
        "channel": channel,
        "action": action,
        "section": section,
        "target_type": target_type,
        "target_id": target_id,
        "outcome": outcome,
        "ip": ip,
        "user_agent": user_agent,
        "request_id": request_id,
        "detail": detail,
    }


def fields_of(event) -> dict:
    """The hashed fields of a stored AuditEvent (as recomputed by verify)."""
    return event_fields(
        seq=event.seq,
        account_id=event.account_id,
        at=event.at,
        actor_id=event.actor_id,
        actor_username=event.actor_username,
        channel=event.channel,
        action=event.action,
        section=event.section,
        target_type=event.target_type,
        target_id=event.target_id,
        outcome=event.outcome,
        ip=event.ip,
        user_agent=event.user_agent,
        request_id=event.request_id,
        detail=event.detail,
    )
