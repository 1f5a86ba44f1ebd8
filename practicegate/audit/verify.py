"""Re-compute hash chains and check signed checkpoints: `practicegate audit verify`.

Two walks over the same rows:

- the fast one (`fast_walk`): the database spells each event's canonical JSON
  itself, as two pieces of bytes around `detail` (JSON-quoted strings, integers,
  `at` formatted as `chain.event_fields` does), and hands `detail` over as its
  stored text, which is re-serialized once per distinct text (orjson with
  sorted keys, remembered). Per row that leaves one bytes concatenation, one
  SHA-256 and three comparisons: no dict, no JSON round trip.
- the exact one (`walk`): the same fields as a dict through `chain.canonical`,
  the chain's definition. The fast walk hands every row it cannot confirm to
  it, so a string the database quotes differently from orjson (the bytes then
  differ and the hash does not match) costs one exact re-check, never a false
  alarm; and any bytes that do match the stored hash are valid JSON holding the
  row's values, so they are the canonical bytes: a match is never false either.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import orjson
from django.db import connection

from practicegate.audit import chain as chainlib
from practicegate.audit import keys
from practicegate.audit.models import AuditChain, AuditCheckpoint, AuditEvent

# Hashed fields in sorted order: the SELECT returns them in this order, so the
# row zips straight into the dict that chain.canonical serializes.
HASHED = tuple(sorted(chainlib.event_fields(
    seq=0, account_id=None, at=chainlib.EPOCH, actor_id=None, actor_username="", channel="", action="",
    section="", target_type="", target_id="", outcome="", ip="", user_agent="", request_id="", detail={},
)))
_DETAIL = HASHED.index("detail")
_SEQ = HASHED.index("seq")
CHUNK = 5000

_AT_SQL = {
    # Django stores SQLite datetimes as naive UTC text, without ".000000" when microsecond == 0.
    "sqlite": "replace(at, ' ', 'T') || CASE WHEN length(at) = 19 THEN '.000000' ELSE '' END || '+00:00'",
    "postgresql": "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')",
}
_DETAIL_SQL = {"sqlite": "detail", "postgresql": "detail::text"}
_COLUMN = {"account": "account_id", "actor": "actor_id"}


# The fast walk's row: seq, canonical bytes before detail, detail as stored, bytes after it, prev_hash, hash.
_QUOTE_SQL = {"sqlite": "json_quote({})", "postgresql": "to_json({}::text)::text"}
_INT_SQL = {"sqlite": "coalesce({}, 'null')", "postgresql": "coalesce({}::text, 'null')"}
_BYTES_SQL = {"sqlite": "CAST({} AS BLOB)", "postgresql": "{}"}
DETAIL_CACHE = 20_000  # distinct detail texts remembered by one fast walk


def _sqlite_piece_sql(names, *, first: bool) -> str:
    """SQLite: json_object() spells the pieces in one call (the same quoting as json_quote)."""
    pairs = ", ".join(f"'{name}', " + (_AT_SQL["sqlite"] if name == "at" else _COLUMN.get(name, name))
                      for name in names)
    # The first piece's last value and the second's first key are quoted: one brace to trim each.
    if first:
        return f"CAST(rtrim(json_object({pairs}), '}}') || ',\"detail\":' AS BLOB)"
    return f"CAST(',' || ltrim(json_object({pairs}), '{{') AS BLOB)"


def _piece_sql(vendor: str, names, *, first: bool, last: bool) -> str:
    if vendor == "sqlite":
        return _sqlite_piece_sql(names, first=first)
    parts = []
    for i, name in enumerate(names):
        key = ("{" if first and i == 0 else ",") + f'"{name}":'
        if name == "at":
            value = "'\"' || " + _AT_SQL[vendor] + " || '\"'"
        elif name in ("account", "actor", "seq"):
            value = _INT_SQL[vendor].format(_COLUMN.get(name, name))
        else:
            value = _QUOTE_SQL[vendor].format(name)
        parts.append(f"'{key}' || {value}")
    parts.append("'}'" if last else "',\"detail\":'")
    return _BYTES_SQL[vendor].format(" || ".join(parts))


def fast_select_sql(vendor: str) -> str:
    head = _piece_sql(vendor, HASHED[:_DETAIL], first=True, last=False)
    tail = _piece_sql(vendor, HASHED[_DETAIL + 1:], first=False, last=True)
    detail = _BYTES_SQL[vendor].format(_DETAIL_SQL[vendor])
    return (
        f"SELECT seq, {head}, {detail}, {tail}, {_BYTES_SQL[vendor].format('prev_hash')}, "
        f"{_BYTES_SQL[vendor].format('hash')} FROM {AuditEvent._meta.db_table} "
        "WHERE chain_id = %s AND seq > %s AND seq <= %s ORDER BY seq"
    )


def _unescape_copy_line(line: bytes) -> list[bytes]:
    fields = line.decode("utf-8").split("\t")
    # No column of the fast row is NULL; were one, b"" makes the row a doubtful one for the exact walk.
    return [(_copy_field(-1, text) or "").encode("utf-8") for text in fields]


def _fast_rows(chain_id: int, after_seq: int, until_seq: int):
    """Yield lists of fast rows (seq as int, the rest as bytes), a chunk at a time."""
    if connection.vendor == "postgresql":
        sql = f"COPY ({fast_select_sql('postgresql') % (int(chain_id), int(after_seq), int(until_seq))}) TO STDOUT"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            pending = b""
            for block in copy:
                data = pending + bytes(block)
                cut = data.rfind(b"\n")
                pending = data[cut + 1:]
                if cut < 0:
                    continue
                rows = []
                for line in data[:cut].split(b"\n"):
                    row = _unescape_copy_line(line) if b"\\" in line else line.split(b"\t")
                    row[0] = int(row[0])
                    rows.append(row)
                yield rows
        return
    with connection.cursor() as cursor:
        cursor.execute(fast_select_sql(connection.vendor), [chain_id, after_seq, until_seq])
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                return
            yield rows


def _canonical_detail(text: bytes) -> bytes:
    return orjson.dumps(orjson.loads(text), option=orjson.OPT_SORT_KEYS)


def fast_walk(chain_id: int, *, after_seq: int = 0, until_seq: int = 2**62, running: str = chainlib.GENESIS,
              watch: frozenset[int] = frozenset()) -> Walk:
    """Walk events after_seq+1..until_seq like `walk`, on bytes the database builds (see the module's text)."""
    expected = after_seq + 1
    before_running = None
    digests: dict[int, str] = {}
    while True:
        expected, running, before_running, stopped = _fast_stretch(
            chain_id, expected, until_seq, running, before_running, watch, digests)
        if stopped is None:
            return Walk(expected - 1, running, digests)
        # Check the row the fast walk could not confirm the exact way: a real fault, or
        # a string the database quoted otherwise than orjson does (then go on past it).
        exact = walk(stream_rows(chain_id, expected - 1, until_seq=max(stopped, expected)), expected=expected,
                     running=running, watch=watch, before_running=before_running)
        digests.update(exact.digests)
        if exact.bad_row is not None or exact.last < expected:
            exact.digests = digests
            return exact
        expected, running, before_running = exact.last + 1, exact.running, running


def _fast_stretch(chain_id, expected, until_seq, running, before_running, watch, digests):
    """Re-hash fast rows from `expected` on; stop at the end (stopped None) or at the first doubtful row."""
    sha256 = hashlib.sha256
    cache: dict[bytes, bytes] = {}
    canonical_detail = _canonical_detail
    running_b = running.encode()
    before_b = before_running.encode() if before_running is not None else None
    for rows in _fast_rows(chain_id, expected - 1, until_seq):
        for seq, head, detail, tail, prev, stored in rows:
            if seq != expected or prev != running_b:
                return expected, running_b.decode(), _text(before_b), seq
            canon = cache.get(detail)
            if canon is None:
                if len(cache) >= DETAIL_CACHE:
                    cache.clear()
                canon = cache[detail] = canonical_detail(detail)
            if sha256(prev + head + canon + tail).hexdigest().encode() != stored:
                return expected, running_b.decode(), _text(before_b), seq
            if expected in watch:
                digests[expected] = stored.decode()
            before_b, running_b = running_b, stored
            expected += 1
    return expected, running_b.decode(), _text(before_b), None


def _text(value: bytes | None) -> str | None:
    return value.decode() if value is not None else None


@dataclass(frozen=True)
class Problem:
    account: str  # slug, or "system"
    seq: int
    kind: str  # edited, missing, inserted, reordered, truncated, checkpoint
    message: str

    def __str__(self):
        return f"account {self.account}: seq {self.seq}: {self.kind}: {self.message}"


def select_sql(vendor: str) -> str:
    columns = []
    for name in HASHED:
        if name == "at":
            columns.append(_AT_SQL[vendor])
        elif name == "detail":
            columns.append(_DETAIL_SQL[vendor])
        else:
            columns.append(_COLUMN.get(name, name))
    return (
        f"SELECT {', '.join(columns)}, prev_hash, hash FROM {AuditEvent._meta.db_table} "
        "WHERE chain_id = %s AND seq > %s AND seq <= %s ORDER BY seq"
    )


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


def checkpoint_message(*, account_id: int | None, seq: int, hash: str, signed_at) -> bytes:
    """The bytes a checkpoint signs."""
    return chainlib.canonical({
        "account": account_id, "seq": seq, "hash": hash,
        "signed_at": signed_at.isoformat(timespec="microseconds"),
    })


def chain_label(chain: AuditChain) -> str:
    return chain.account.slug if chain.account_id else "system"


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
        if row[_SEQ] != expected or row[n_hashed] != running or row[n_hashed + 1] != digest:
            return Walk(expected - 1, running, digests, tuple(row), before_running, digest)
        if expected in watch:
            digests[expected] = digest
        before_running, running = running, digest
        expected += 1
    return Walk(expected - 1, running, digests)


def verify_chain(chain: AuditChain, *, public_keys=None, after_seq: int = 0,
                 after_hash: str = chainlib.GENESIS, check_head: bool = True,
                 parallel: bool = False) -> list[Problem]:
    """Return the chain's problems (empty when intact): the first break, plus checkpoint faults.

    `parallel` lets a long chain be checked on several cores first (see audit.parallel);
    any doubt there falls back to this single walk, which also names what is wrong.
    """
    label = chain_label(chain)
    problems: list[Problem] = []
    checkpoints = {}
    if public_keys is not None:
        checkpoints, problems = _checked_checkpoints(chain, label, public_keys)

    # The head as it is now; events appended while we stream are checked against it afterwards.
    chain.refresh_from_db(fields=["seq", "head_hash"])
    head_seq, head_hash = chain.seq, chain.head_hash
    watch = frozenset(checkpoints) | {head_seq}

    result = None
    if parallel:
        from practicegate.audit import parallel as parallel_walk

        result = parallel_walk.walk_chain(chain.pk, after_seq=after_seq, after_hash=after_hash,
                                          head_seq=head_seq, watch=watch)
    if result is None:
        result = fast_walk(chain.pk, after_seq=after_seq, running=after_hash, watch=watch)
    if result.bad_row is not None:
        problems.insert(0, _diagnose(chain, label, result.bad_row, result.last + 1, result.running,
                                     result.before_running, result.bad_digest))
        return problems
    last = result.last
    for seq in sorted(checkpoints):
        if seq > last:
            problems.insert(0, Problem(label, last + 1, "truncated",
                                       f"the chain ends at {last} but a signed checkpoint covers {seq}"))
            return problems
        if seq > after_seq and result.digests.get(seq) != checkpoints[seq]:
            problems.insert(0, Problem(label, seq, "edited", "the chain up to here was rewritten: its "
                                       "hash differs from the signed checkpoint"))
            return problems
    if not check_head:
        return problems
    if head_seq > last:
        problems.insert(0, Problem(label, last + 1, "missing",
                                   f"the chain ends at {last} but its head says {head_seq}"))
    elif head_seq > after_seq and result.digests.get(head_seq) != head_hash:
        problems.insert(0, Problem(label, head_seq, "edited", "this event differs from the chain's recorded head"))
    elif last > head_seq:
        chain.refresh_from_db(fields=["seq", "head_hash"])
        if chain.seq < last:
            problems.insert(0, Problem(label, chain.seq + 1, "inserted",
                                       f"events after the chain's head ({chain.seq}) were added behind its back"))
    return problems


def _fields_of_row(row) -> dict:
    fields = dict(zip(HASHED, row, strict=False))
    fields["detail"] = orjson.loads(fields["detail"])
    return fields


def _row_at(chain_id: int, seq: int):
    for row in stream_rows(chain_id, seq - 1):
        return row if row[_SEQ] == seq else None
    return None


def _diagnose(chain, label, row, expected, running, before_running, digest) -> Problem:
    """Name what is wrong at the first row that does not fit (slow path, runs once)."""
    n = len(HASHED)
    seq, prev_hash, stored_hash = row[_SEQ], row[n], row[n + 1]
    if seq > expected:
        gap = f"{expected}" if seq == expected + 1 else f"{expected} to {seq - 1}"
        return Problem(label, expected, "missing", f"event {gap} is gone (the next one present is {seq})")
    if seq < expected:
        return Problem(label, seq, "reordered", f"event {seq} appears again after {expected - 1}")
    if before_running is not None and prev_hash == before_running:
        return Problem(label, seq - 1, "inserted",
                       f"event {seq - 1} was inserted: event {seq} links to the one before it")
    following = _row_at(chain.pk, seq + 1)
    if following is not None and following[n] == running:
        if prev_hash == following[n + 1]:
            return Problem(label, seq, "reordered", f"events {seq} and {seq + 1} are in each other's place")
        return Problem(label, seq, "inserted", f"event {seq} was inserted: event {seq + 1} links to the one before it")
    if prev_hash != running:
        if chainlib.link(prev_hash, chainlib.canonical(_fields_of_row(row))) == stored_hash:
            return Problem(label, seq, "missing",
                           "this event links to an event that is not in the chain (edited or removed before it)")
        return Problem(label, seq, "edited", "its link to the previous event was changed")
    return Problem(label, seq, "edited", "its contents no longer match its hash")


def _checked_checkpoints(chain, label, public_keys) -> tuple[dict[int, str], list[Problem]]:
    """Checkpoints whose signature verifies ({seq: hash}), and a problem for each that does not."""
    by_id = {keys.key_id(k): k for k in public_keys}
    good: dict[int, str] = {}
    problems = []
    for cp in AuditCheckpoint.objects.filter(chain=chain).order_by("seq"):
        key = by_id.get(cp.key_id)
        message = checkpoint_message(account_id=cp.account_id, seq=cp.seq, hash=cp.hash, signed_at=cp.signed_at)
        if key is None:
            problems.append(Problem(label, cp.seq, "checkpoint", f"signed by unknown key {cp.key_id}"))
        elif cp.account_id != chain.account_id or not keys.signature_valid(key, message, cp.signature):
            problems.append(Problem(label, cp.seq, "checkpoint", "its signature does not verify (forged or edited)"))
        else:
            good[cp.seq] = cp.hash
    return good, problems


def verify_all(*, account=None, public_keys=None, parallel: bool = False) -> tuple[int, list[Problem]]:
    """Verify every chain (or one account's). Return (events checked, problems)."""
    if public_keys is None:
        public_keys = keys.verification_keys()
    chains = AuditChain.objects.select_related("account").order_by("id")
    if account is not None:
        chains = chains.filter(account=account)
    problems: list[Problem] = []
    checked = 0
    for chain in chains:
        problems.extend(verify_chain(chain, public_keys=public_keys, parallel=parallel))
        checked += chain.seq
    return checked, problems
