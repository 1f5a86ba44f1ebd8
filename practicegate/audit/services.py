"""`record()`: the one way anything writes to the activity log."""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.utils.dateparse import parse_datetime

from practicegate.audit import chain as chainlib
from practicegate.audit import durability
from practicegate.audit.actions import ACTIONS
from practicegate.audit.context import AuditContext
from practicegate.audit.models import AuditChain, AuditEvent, Channel, Outcome

logger = logging.getLogger(__name__)

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


def _json_safe(value):
    """The value with what JSON columns refuse escaped: NUL as `\\x00`, lone surrogates as `\\udXXX`.

    PostgreSQL's jsonb takes neither (an event of a request for /a/x/%00/ failed to write).
    """
    if isinstance(value, str):
        return value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_json_safe(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_json_safe(item) for item in value)
    return value


@dataclass(frozen=True)
class _By:
    """Who writes the events of one call, and from where (the same for each of them)."""

    actor: object
    actor_username: str
    channel: str
    where: dict  # ip, user_agent, request_id


def _by(actor, actor_username: str | None, context: AuditContext | None, channel: str | None) -> _By:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor_username is None:
        actor_username = actor.get_username() if actor is not None else ""
    if channel is None:
        channel = context.channel if context is not None else Channel.CLI
    where = ({"ip": context.ip, "user_agent": context.user_agent, "request_id": context.request_id}
             if context is not None else {"ip": "", "user_agent": "", "request_id": ""})
    return _By(actor, actor_username[:150], str(channel), where)


def _event(action: str, by: _By, *, account, at: datetime, section: str, target_type: str, target_id,
           outcome: str, detail: dict | None, seq: int = 0) -> tuple[AuditEvent, dict]:
    """Build one event and the fields its hash covers; its chain, seq and hashes are the append's to set.

    record() and record_many() both build through here, so an event says the same whichever wrote it.
    """
    detail = _json_safe(_scrub(detail))  # stored and hashed as this one value: the chain verifies
    fields = chainlib.event_fields(
        seq=seq,
        account_id=account.pk if account is not None else None,
        at=at,
        actor_id=by.actor.pk if by.actor is not None else None,
        actor_username=by.actor_username,
        channel=by.channel,
        action=action,
        section=section or "",
        target_type=str(target_type or "")[:64],
        target_id=str(target_id if target_id is not None else "")[:64],
        outcome=str(outcome),
        detail=detail,
        **by.where,
    )
    event = AuditEvent(
        account=account, at=at, actor=by.actor, actor_username=by.actor_username, channel=by.channel,
        action=action, section=fields["section"], target_type=fields["target_type"],
        target_id=fields["target_id"], outcome=fields["outcome"], detail=detail, **by.where,
    )
    return event, fields


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

# PostgreSQL: the whole append as one statement, so no Python runs while the chain's row
# is locked (a descheduled lock holder would stall every other writer of the account).
# `head` locks the row; under READ COMMITTED a writer that waited for the lock re-reads
# the row's newest version, so it links to the event just committed before it. `link`
# hashes exactly as chain.link(prev, chain.canonical(fields)): the bytes of the fields
# come from Python in three pieces around `at` and `seq`, the only values known only
# under the lock (chain.canonical_around_at_and_seq); `at` is formatted as Python's
# isoformat(timespec="microseconds") of a UTC time. Then the head moves and the event
# is inserted. The statement is atomic by itself: outside a transaction it runs in
# autocommit (statement and commit in one round trip), inside one it joins it.
# Outside a transaction (_ASYNC_COMMIT) the statement also turns synchronous_commit off for
# its own transaction: `head` finds the row only through set_config()'s result, so the
# setting is certainly made, and it ends with the transaction. The commit then releases
# the row lock without waiting for the WAL flush, and record() waits for the flush
# after it (durability.wait_until_durable(), where the argument is).
# RETURNING reports the WAL position just after the event's row (the tests check that
# record() returns only once the WAL is flushed past it).
_FROM_LINK = {"chain_id": "id", "seq": "seq", "at": "at", "prev_hash": "prev_hash", "hash": "hash"}
_GIVEN_FIELDS = [f for f in _EVENT_FIELDS if f.column not in _FROM_LINK]
_APPEND = f"""WITH head AS MATERIALIZED (
    SELECT id, seq + 1 AS seq, head_hash AS prev_hash, greatest(%s::timestamptz, head_at) AS at
    FROM {_table} WHERE account_id {{where}}{{alone}} FOR UPDATE
), link AS MATERIALIZED (
    SELECT id, seq, prev_hash, at, encode(sha256(
        convert_to(prev_hash, 'UTF8') || %s::bytea
        || convert_to(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00', 'UTF8')
        || %s::bytea || convert_to(seq::text, 'UTF8') || %s::bytea), 'hex') AS hash
    FROM head
), advanced AS (
    UPDATE {_table} AS chain SET seq = link.seq, head_hash = link.hash, head_at = link.at
    FROM link WHERE chain.id = link.id
)
INSERT INTO {AuditEvent._meta.db_table} ({', '.join(f.column for f in _EVENT_FIELDS)})
SELECT {', '.join(f"link.{_FROM_LINK[f.column]}" if f.column in _FROM_LINK else "%s" for f in _EVENT_FIELDS)}
FROM link
RETURNING id, chain_id, seq, at, prev_hash, hash, pg_current_wal_insert_lsn()
"""
_ASYNC_COMMIT = " AND set_config('synchronous_commit', 'off', true) = 'off'"
# {(system chain?, outside a transaction?): statement}
_APPEND_TO = {(system, alone): _APPEND.format(where="IS NULL" if system else "= %s",
                                              alone=_ASYNC_COMMIT if alone else "")
              for system in (True, False) for alone in (True, False)}


# Text, integer and foreign-key columns go to the driver as record() built them (str, int
# or None, which is what get_db_prep_save would return); the others (the time, the detail's
# JSON) are prepared by their field, as the ORM would.
_AS_BUILT = (models.CharField, models.BigIntegerField, models.ForeignKey)
_PREPARE = [(f.attname, None if isinstance(f, _AS_BUILT) else f) for f in _EVENT_FIELDS]


def _insert(event: AuditEvent, cursor) -> None:
    """INSERT the event with a statement built once (the ORM would compile it on every call)."""
    values = [getattr(event, name) if field is None else field.get_db_prep_save(getattr(event, name), connection)
              for name, field in _PREPARE]
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


def _advance(account, cursor) -> tuple[int, int, str, datetime | None]:
    """Take the chain's lock and the next sequence number: (chain id, seq, head hash, head time).

    The chain row is found from the account, so this is one statement; the row is
    created (once per account) only when the UPDATE finds none.
    """
    system = account is None
    params = [] if system else [account.pk]
    cursor.execute(_ADVANCE[system], params)
    row = cursor.fetchone()
    if row is None:
        chain_for(account)
        cursor.execute(_ADVANCE[system], params)
        row = cursor.fetchone()
    chain_id, seq, head_hash, head_at = row
    return chain_id, seq, head_hash, _as_utc(head_at)


def _append_in_three_statements(event: AuditEvent, fields: dict) -> None:
    """SQLite: lock and advance the chain, insert the event, store the head (one writer at a time anyway)."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        event.chain_id, event.seq, event.prev_hash, head_at = _advance(event.account, cursor)
        # Never before the previous event: the Activity Log turns a date range into a
        # sequence-number range, which needs `at` non-decreasing along the chain.
        if head_at is not None and event.at < head_at:
            event.at = head_at
        fields.update(seq=event.seq, at=event.at.isoformat(timespec="microseconds"))
        event.hash = chainlib.link(event.prev_hash, chainlib.canonical(fields))
        _insert(event, cursor)
        cursor.execute(_SET_HEAD, [event.hash, connection.ops.adapt_datetimefield_value(event.at), event.chain_id])


def _append_in_one_statement(event: AuditEvent, fields: dict, alone: bool) -> None:
    """PostgreSQL: the append as the one statement _APPEND (see there why); `alone`: no
    transaction is open, the statement commits asynchronously (the caller then waits)."""
    system = event.account_id is None
    p1, p2, p3 = chainlib.canonical_around_at_and_seq(fields)
    params = [connection.ops.adapt_datetimefield_value(event.at), *([] if system else [event.account_id]),
              p1, p2, p3, *(f.get_db_prep_save(getattr(event, f.attname), connection) for f in _GIVEN_FIELDS)]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_TO[system, alone], params)
        row = cursor.fetchone()
        if row is None:  # the account's very first event: create its chain row
            chain_for(event.account)
            cursor.execute(_APPEND_TO[system, alone], params)
            row = cursor.fetchone()
    event.pk, event.chain_id, event.seq, at, event.prev_hash, event.hash, event.wal_lsn = row
    event.at = _as_utc(at)
    event._state.adding = False
    event._state.db = connection.alias


def record(
    action: str,
    *,
    account,
    actor=None,
    context: AuditContext | None = None,
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

    Inside the caller's transaction, a change and its event commit together; called
    on its own (a page view, a command), the event is committed and on disk before
    record() returns. The chain's row lock (PostgreSQL) or SQLite's write lock queues
    concurrent appends, so the sequence stays gapless. PostgreSQL: one statement
    (_APPEND); when no transaction is open it commits without waiting for the WAL flush
    (so the chain's lock is not held through it) and a second one then waits for the
    flush (durability.wait_until_durable); the event's `wal_lsn` is the WAL position
    just after its row. SQLite: three (advance the chain, insert, store the head).
    """
    if action not in ACTIONS:
        raise UnknownAction(action)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    by = _by(actor, actor_username, context, channel)
    # The clock; the append moves it up to the head's time if that is later.
    event, fields = _event(action, by, account=account, at=datetime.now(UTC), section=section,
                           target_type=target_type, target_id=target_id, outcome=outcome, detail=detail)
    if connection.vendor == "postgresql":
        alone = durability.outside_a_transaction()
        _append_in_one_statement(event, fields, alone)
        if alone:
            durability.wait_until_durable()
    else:
        _append_in_three_statements(event, fields)
    if context is not None:
        context.written += 1
    every = settings.AUDIT_CHECKPOINT_EVERY
    if every and event.seq % every == 0:
        _schedule_checkpoint(event.chain_id, event.seq)
    return event


def _schedule_checkpoint(chain_id: int, seq: int) -> None:
    """Only note that chain `chain_id` passed another AUDIT_CHECKPOINT_EVERY events.

    Signing is `practicegate audit checkpoint`, run by a timer (docs/operations.md):
    a request never verifies or signs, and app servers need no private key.
    """
    logger.debug("activity-log chain %s reached seq %s: a checkpoint is due", chain_id, seq)


# --- Many events at once, in a constant number of queries -------------------------------

@dataclass(frozen=True)
class Entry:
    """One event of record_many(): its account and what differs between the events."""

    account: object
    target_type: str = ""
    target_id: str | int = ""
    detail: dict | None = None


def _chains_of(account_ids: list[int]) -> dict[int, int]:
    """{account id: chain id}, creating the chains that do not exist yet (two queries at most more)."""
    found = dict(AuditChain.objects.filter(account_id__in=account_ids).values_list("account_id", "pk"))
    missing = [a for a in account_ids if a not in found]
    if missing:
        AuditChain.objects.bulk_create([AuditChain(account_id=a) for a in missing], ignore_conflicts=True)
        found = dict(AuditChain.objects.filter(account_id__in=account_ids).values_list("account_id", "pk"))
    return found


def _parameter_limit() -> int:
    if connection.vendor == "sqlite":
        raw = connection.connection
        if raw is not None and hasattr(raw, "getlimit"):
            return raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return 999
    return 65535


def _insert_events(events: list[AuditEvent]) -> None:
    """INSERT many rows per statement and set their ids (Django's bulk_create would cut
    SQLite's statements at 999 values, whatever the library allows)."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = connection.features.can_return_rows_from_bulk_insert
    suffix = f" RETURNING {quote(AuditEvent._meta.pk.column)}" if returning else ""
    per_statement = max(1, _parameter_limit() // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(events), per_statement):
            batch = events[start:start + per_statement]
            params = [f.get_db_prep_save(getattr(e, f.attname), connection) for e in batch for f in fields]
            cursor.execute(f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES "
                           + ", ".join([one_row] * len(batch)) + suffix, params)
            if returning:
                for event, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                    event.pk = pk


def _set_by_chain(column: str, prefix: str, values: dict) -> None:
    """UPDATE one column of many chains to a value each, in one statement.

    (Raw SQL: the ORM's Case(When(...)) costs milliseconds per chain to build.)"""
    quote = connection.ops.quote_name
    whens = " ".join(["WHEN %s THEN %s"] * len(values))
    params = [p for pk, value in values.items() for p in (pk, value)] + list(values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(AuditChain._meta.db_table)} SET {quote(column)} = "
                       f"{prefix} {quote('id')} {whens} END WHERE {quote('id')} IN "
                       f"({', '.join(['%s'] * len(values))})", params)


@transaction.atomic
def record_many(action: str, entries: list[Entry], *, actor=None, context: AuditContext | None = None,
                channel: str | None = None,
                section: str = "", outcome: str = Outcome.SUCCESS) -> list[AuditEvent]:
    """Append one event per entry, in order, to its account's chain, linked exactly as
    record() links them, in a constant number of queries whatever the number of entries
    and accounts (a search of all a username's accounts; an import of many clients)."""
    if action not in ACTIONS:
        raise UnknownAction(action)
    if not entries:
        return []
    per_account = Counter(e.account.pk for e in entries)
    by = _by(actor, None, context, channel)

    chains = _chains_of(list(per_account))
    counts = {chains[a]: n for a, n in per_account.items()}
    chain_ids = sorted(counts)
    # Lock the chains in one order (no deadlock between two such writes); the UPDATE then
    # takes SQLite's write lock too, before the heads are read, as in record().
    list(AuditChain.objects.select_for_update().filter(pk__in=chain_ids).order_by("pk").values_list("pk"))
    if set(counts.values()) == {1}:
        AuditChain.objects.filter(pk__in=chain_ids).update(seq=F("seq") + 1)
    else:
        _set_by_chain("seq", "seq + CASE", counts)
    heads = {pk: [seq - counts[pk], head] for pk, seq, head in
             AuditChain.objects.filter(pk__in=chain_ids).values_list("pk", "seq", "head_hash")}
    # Never before a chain's previous event, as in record() (date ranges become seq ranges).
    now = datetime.now(UTC)
    times = {pk: max(now, head_at) if head_at is not None else now for pk, head_at in
             AuditChain.objects.filter(pk__in=chain_ids).values_list("pk", "head_at")}

    every = settings.AUDIT_CHECKPOINT_EVERY
    events, due = [], []
    for entry in entries:
        chain_id = chains[entry.account.pk]
        head, at = heads[chain_id], times[chain_id]
        head[0] += 1
        seq, prev_hash = head
        event, fields = _event(action, by, account=entry.account, at=at, section=section, seq=seq,
                               target_type=entry.target_type, target_id=entry.target_id, outcome=outcome,
                               detail=entry.detail)
        head[1] = chainlib.link(prev_hash, chainlib.canonical(fields))
        event.chain_id, event.seq, event.prev_hash, event.hash = chain_id, seq, prev_hash, head[1]
        events.append(event)
        if every and seq % every == 0:
            due.append((chain_id, seq))
    _insert_events(events)
    _set_by_chain("head_hash", "CASE", {pk: h for pk, (_, h) in heads.items()})
    _set_by_chain("head_at", "CASE", {pk: connection.ops.adapt_datetimefield_value(t) for pk, t in times.items()})
    if context is not None:
        context.written += len(events)
    for chain_id, seq in due:
        _schedule_checkpoint(chain_id, seq)
    return events
