"""Ship the activity log out as JSON lines (`practicegate audit ship`), for a SIEM or log collector.

Each line is one event with its chain position and hash:

    {"chain": "sunrise-counseling", "seq": 42, "prev_hash": "...", "hash": "...", "event": {...}}

`event` holds exactly the fields the chain hashes, so a receiver can check
continuity (seq follows seq, prev_hash is the previous line's hash) and even
re-compute `hash = SHA-256(prev_hash || canonical JSON of event)` itself.

Only events on disk are shipped: the heads are read, then wait_until_durable()
(an event committed without waiting for the WAL flush is visible a moment before
it is durable, see durability.py), then the lines are written.

Positions are kept per chain in a small state file, written only after the lines
are flushed: a run that dies half-way ships some lines again next time (at least
once; the receiver drops a (chain, seq) it already has), never leaves a gap.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from practicegate.audit.durability import wait_until_durable
from practicegate.audit.models import AuditChain
from practicegate.audit.spelling import HASHED
from practicegate.audit.verify import chain_label
from practicegate.audit.walk import stream_rows

FORMATS = ("jsonl",)
_N = len(HASHED)
_SEQ = HASHED.index("seq")


class ShipError(Exception):
    pass


@dataclass
class ShipState:
    """Last shipped (seq, hash) per chain id, in a JSON file."""

    path: Path | None
    positions: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None) -> ShipState:
        if path is None:
            return cls(None)
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text())
            return cls(path, dict(data["positions"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ShipError(f"{path} is not a ship state file: {exc}") from exc

    def save(self) -> None:
        if self.path is None:
            return
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps({"version": 1, "positions": self.positions}, indent=1, sort_keys=True))
        os.replace(temporary, self.path)


@dataclass
class Shipped:
    chain: str
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1


def line_of(label: str, row) -> bytes:
    fields = dict(zip(HASHED, row, strict=False))
    fields["detail"] = orjson.loads(fields["detail"])
    return orjson.dumps({"chain": label, "seq": fields["seq"], "prev_hash": row[_N], "hash": row[_N + 1],
                         "event": fields}, option=orjson.OPT_SORT_KEYS) + b"\n"


def ship(sink, *, state: ShipState, account=None, since: int | None = None) -> list[Shipped]:
    """Write every event after each chain's position (or after `since`) to the binary `sink`.

    Events up to each chain's head as read at the start are shipped; later ones wait for
    the next run. A resumed chain whose next event does not link to the last shipped
    hash was rewritten since: refuse rather than ship a different history.
    """
    chains = AuditChain.objects.select_related("account").order_by("id")
    if account is not None:
        chains = chains.filter(account=account)
    chains = list(chains)  # the heads: every event up to them was committed before this read
    wait_until_durable()  # ... and is on disk before a line leaves (durability.py)
    shipped = []
    for chain in chains:
        label = chain_label(chain)
        kept = state.positions.get(str(chain.pk))
        after = since if since is not None else (kept["seq"] if kept else 0)
        expect_link = kept["hash"] if kept and since is None else None
        head = chain.seq  # appends serialize on the chain row, so every seq up to it is committed
        if head <= after:
            continue
        last_row = None
        for row in stream_rows(chain.pk, after, until_seq=head):
            if last_row is None and expect_link is not None and row[_N] != expect_link:
                raise ShipError(f"account {label}: event {row[_SEQ]} does not link to the "
                                "last shipped event: the chain changed after it was shipped (run `audit verify`)")
            sink.write(line_of(label, row))
            last_row = row
        if last_row is None:
            continue
        sink.flush()
        last_seq = last_row[_SEQ]
        shipped.append(Shipped(label, after + 1, last_seq))
        state.positions[str(chain.pk)] = {"account": label, "seq": last_seq, "hash": last_row[_N + 1]}
    if hasattr(sink, "fileno"):
        try:
            os.fsync(sink.fileno())
        except (OSError, ValueError):
            pass  # a pipe or a terminal: nothing to sync
    state.save()
    return shipped
