"""Activity-log test helpers: quick chains, raw-SQL tampering, events with awkward values."""

from __future__ import annotations

import itertools
from datetime import timedelta

import time_machine
from django.db import connection

from practicegate.accounts.models import Account
from practicegate.audit import chain as chainlib
from practicegate.audit import triggers
from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.services import record
from tests.helpers import make_user

_counter = itertools.count(1)
TABLE = AuditEvent._meta.db_table


def bare_account(owner=None) -> Account:
    """An account without going through sign-up (no password hashing): for many chains fast."""
    n = next(_counter)
    owner = owner or make_user(f"chainowner{n}")
    return Account.objects.create(slug=f"chain-{n}", name=f"Chain {n}", email="c@example.org", owner=owner)


def append(account, count: int, *, actor=None, **extra) -> None:
    for i in range(count):
        record("page.view", account=account, actor=actor, detail={"i": i, **extra.get("detail", {})},
               section=extra.get("section", "reports"), target_id=str(i))


def chain_of(account) -> AuditChain:
    return AuditChain.objects.get(account=account)


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class Tamper:
    """Raw-SQL edits of one chain, as someone with database access would make them."""

    def __init__(self, chain: AuditChain):
        self.chain = chain

    def __enter__(self):
        triggers.remove(connection)
        return self

    def __exit__(self, *exc):
        triggers.install(connection)

    def _id(self, seq: int) -> int:
        return AuditEvent.objects.get(chain=self.chain, seq=seq).pk

    def set(self, seq: int, column: str, value) -> None:
        raw(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, self._id(seq)])

    def flip(self, seq: int, column: str, position: int = 0) -> None:
        """Change one character of a text column (or one microsecond of `at`)."""
        event = AuditEvent.objects.get(chain=self.chain, seq=seq)
        if column == "at":
            if connection.vendor == "postgresql":
                raw(f"UPDATE {TABLE} SET at = at + interval '1 microsecond' WHERE id = %s", [event.pk])
            else:
                self.set(seq, "at", (event.at + timedelta(microseconds=1)).replace(tzinfo=None).isoformat(" "))
            return
        if column == "detail":
            self.set(seq, "detail", '{"i": -1}' if event.detail != {"i": -1} else '{"i": -2}')
            return
        text = getattr(event, column)
        if not text:
            self.set(seq, column, "x")
            return
        position %= len(text)
        old = text[position]
        new = ("0" if old != "0" else "1") if column in ("hash", "prev_hash") else ("x" if old != "x" else "y")
        self.set(seq, column, text[:position] + new + text[position + 1:])

    def delete(self, seq: int) -> None:
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [self._id(seq)])

    def truncate(self, keep: int) -> None:
        raw(f"DELETE FROM {TABLE} WHERE chain_id = %s AND seq > %s", [self.chain.pk, keep])

    def _shift_up_from(self, seq: int) -> None:
        # Two steps so no row ever collides with the (chain, seq) unique constraint.
        raw(f"UPDATE {TABLE} SET seq = -(seq + 1) WHERE chain_id = %s AND seq >= %s", [self.chain.pk, seq])
        raw(f"UPDATE {TABLE} SET seq = -seq WHERE chain_id = %s AND seq < 0", [self.chain.pk])

    def insert(self, seq: int, *, forge_hash: bool) -> None:
        """Insert a made-up event at `seq` (later ones move up); forge_hash links it properly."""
        model = AuditEvent.objects.filter(chain=self.chain).order_by("seq").first()
        prev = AuditEvent.objects.filter(chain=self.chain, seq=seq - 1).first()
        prev_hash = prev.hash if prev else chainlib.GENESIS
        fields = chainlib.fields_of(model)
        fields.update(seq=seq, actor_username="mallory")
        digest = chainlib.link(prev_hash, chainlib.canonical(fields)) if forge_hash else model.hash
        self._shift_up_from(seq)
        columns = ("chain_id, account_id, at, actor_id, channel, action, section, target_type, target_id, "
                   "outcome, ip, user_agent, request_id, detail")
        raw(f"INSERT INTO {TABLE} (seq, actor_username, prev_hash, hash, {columns}) "
            f"SELECT %s, %s, %s, %s, {columns} FROM {TABLE} WHERE id = %s",
            [seq, "mallory", prev_hash, digest, model.pk])

    def swap(self, seq: int) -> None:
        """Put events seq and seq+1 in each other's place."""
        a, b = self._id(seq), self._id(seq + 1)
        raw(f"UPDATE {TABLE} SET seq = -1 WHERE id = %s", [a])
        raw(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [seq, b])
        raw(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [seq + 1, a])

    def set_head(self, seq: int, head_hash: str) -> None:
        AuditChain.objects.filter(pk=self.chain.pk).update(seq=seq, head_hash=head_hash)


def record_tricky_events(account):
    """Values the template must spell exactly as chain.canonical does (none needs escaping)."""
    big = make_user("big-actor-id")
    big.__class__.objects.filter(pk=big.pk).update(id=2**40)
    big.id = 2**40
    record("page.view", account=account, actor_username="Zoë 🌿 ñ 中文", section="",
           detail={"z": {"b": [1, "é", None, True], "a": 1.5}, "big": 2**63 - 1, "neg": -(2**63), "": ""})
    record("page.view", account=account, actor=big, target_id="", detail={})
    with time_machine.travel("2031-05-06 07:08:09+00:00", tick=False):  # microsecond 0
        record("page.view", account=account, actor_username="whole second", detail={"list": [[], {}]})
    record("page.view", account=account, actor_username="𝔘𝔫𝔦𝔠𝔬𝔡𝔢 '/<>&", target_id="a/b?c=d&e",
           detail={"path": "/a/x/", "q": "it's"})
