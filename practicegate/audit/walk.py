"""The exact walk: each row's fields as values, re-hashed through chain.canonical, the chain's definition.

It is the slow walk and the one that decides: the fast walk (fastwalk.py) hands it
any batch it cannot confirm, and verify.py reads the first row it stops at.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import orjson
from django.db import connection

from practicegate.audit.spelling import HASHED, SEQ_INDEX, select_sql

CHUNK = 5000  # rows fetched at a time from SQLite

_INTS = frozenset(i for i, name in enumerate(HASHED) if name in ("account", "actor", "seq"))
_COPY_ESCAPES = {"\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_COPY_ESCAPE = re.compile(r"\\(.)")


def _copy_field(index: int, text: str):
    if text == "\\N":
        return None
    if "\\" in text:
        text = _COPY_ESCAPE.sub(lambda m: _COPY_ESCAPES.get(m.group(1), m.group(1)), text)
    return int(text) if index in _INTS else text


def _copy_rows(chain_id: int, after_seq: int, until_seq: int):
    """PostgreSQL: stream the rows as COPY text, which skips per-value adaptation.

    COPY takes no bind parameters; the values are integers formatted here.
    """
    sql = f"COPY ({select_sql('postgresql') % (int(chain_id), int(after_seq), int(until_seq))}) TO STDOUT"
    ints = sorted(_INTS)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        pending = b""
        for block in copy:
            data = pending + bytes(block)
            cut = data.rfind(b"\n")  # decode whole rows only: a block may end inside a character
            pending = data[cut + 1:]
            if cut < 0:
                continue
            for line in data[:cut].decode("utf-8").split("\n"):
                if "\\" in line:  # rare: an escaped character or a NULL somewhere in the row
                    yield tuple(_copy_field(i, text) for i, text in enumerate(line.split("\t")))
                    continue
                row = line.split("\t")
                for i in ints:
                    row[i] = int(row[i])
                yield row


def stream_rows(chain_id: int, after_seq: int = 0, until_seq: int = 2**62):
    """Yield raw rows of one chain in sequence order (after_seq < seq <= until_seq), in chunks."""
    if connection.vendor == "postgresql":
        yield from _copy_rows(chain_id, after_seq, until_seq)
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(select_sql(connection.vendor), [chain_id, after_seq, until_seq])
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                return
            yield from rows


@dataclass
class Walk:
    """Where a walk over consecutive rows ended: intact up to `last`, or at a first bad row."""

    last: int
    running: str
    digests: dict[int, str]  # hash at each watched sequence number
    bad_row: tuple | None = None
    before_running: str | None = None
    bad_digest: str = ""


def walk(rows, *, expected: int, running: str, watch: frozenset[int] = frozenset(),
         before_running: str | None = None) -> Walk:
    """Re-hash rows in order, checking sequence, link and hash; stop at the first that does not fit."""
    dumps, loads, sha256 = orjson.dumps, orjson.loads, hashlib.sha256
    option = orjson.OPT_SORT_KEYS
    keys_ = HASHED
    n_hashed = len(HASHED)
    digests: dict[int, str] = {}
    for row in rows:
        fields = dict(zip(keys_, row, strict=False))  # row ends with prev_hash, hash
        fields["detail"] = loads(fields["detail"])
        digest = sha256(running.encode() + dumps(fields, option=option)).hexdigest()
        if row[SEQ_INDEX] != expected or row[n_hashed] != running or row[n_hashed + 1] != digest:
            return Walk(expected - 1, running, digests, tuple(row), before_running, digest)
        if expected in watch:
            digests[expected] = digest
        before_running, running = running, digest
        expected += 1
    return Walk(expected - 1, running, digests, before_running=before_running)

