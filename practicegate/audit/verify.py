"""Re-compute hash chains and check signed checkpoints: `practicegate audit verify`.

Two walks over the same rows:

- the fast one (`fast_walk`), a batch of 2,000 events at a time, the database
  spelling each row as its link (prev_hash) plus the canonical JSON before
  `detail`, and the JSON after it; `detail` is serialized by orjson (sorted
  keys) once per distinct stored text and remembered. Where the hashing
  happens depends on the database:
  - PostgreSQL hashes each row itself: the detail texts already seen go along
    with the query with their canonical JSON, and it joins them in, hashes
    (sha256 over textsend(), the UTF-8 bytes), compares with the stored hash
    and returns a few numbers per batch: rows, rows that match, and the batch's
    links, hashes and seq list as comma-joined text, which Python compares
    once each with what they must be (each link the hash before it, seq
    unbroken). Details not seen yet come back as texts; they are serialized
    here and the rows holding them re-hashed by a second query.
  - SQLite has no SHA-256, so it joins each batch into a few long values
    (group_concat) instead, because fetching each column of each row through
    the driver cost more than the hashing; per row Python does one
    concatenation, one SHA-256 and two comparisons, and compares the batch's
    seq list once. (PostgreSQL does the same where it does not send text as
    UTF-8, and for a while after a batch in which most detail texts were new:
    sending each to the database and back costs more than hashing here.)
- the exact one (`walk`): the same fields as a dict through `chain.canonical`,
  the chain's definition.

The database puts strings between quotes as they are, so its bytes are the
canonical ones exactly when no value holds a quote, a backslash or a control
character. A row with any of them in a value (on SQLite: a batch with more
quotes than the template's, a backslash, a control character, or separators
that do not line up) is doubtful and does not match, and its batch is walked
the exact way (an intact chain with such text still verifies, a little
slower). A stored hash computed over such text as the database spells it
(which someone with write access could do) therefore never passes the fast
walk where the exact one would refuse it. So bytes that match the stored hash
are the canonical bytes of the row's values: a match is never false, and a
batch that does not match is handed to the exact walk, which names what is
wrong.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import operator
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
_HEXDIGEST = type(hashlib.sha256()).hexdigest
_SEQ = HASHED.index("seq")
CHUNK = 5000

_AT_SQL = {
    # Django stores SQLite datetimes as naive UTC text, without ".000000" when microsecond == 0.
    "sqlite": "replace(at, ' ', 'T') || CASE WHEN length(at) = 19 THEN '.000000' ELSE '' END || '+00:00'",
    "postgresql": "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')",
}
_DETAIL_SQL = {"sqlite": "detail", "postgresql": "detail::text"}
_COLUMN = {"account": "account_id", "actor": "actor_id"}


# The fast walk's batches (see the module's text).
SEPARATOR = "\x1f"
BATCH = 2000  # rows per query: big enough that the query's own cost vanishes
DETAIL_CACHE = 20_000  # distinct detail texts remembered by one fast walk
DB_DETAILS = 1_000  # PostgreSQL: distinct detail texts sent along with each batch
NEW_DETAILS = 4  # PostgreSQL: a batch with more than one new detail text in 4 rows is followed by
IN_PYTHON = 32  # this many batches re-hashed in Python, then the database is tried again
_INT_FIELDS = frozenset({"account", "actor", "seq"})
_INT_SQL = {
    # SQLite keeps any type in any column: a text where a number belongs must not print
    # as that number (or as null), so it prints a backslash, which makes the batch doubtful.
    "sqlite": "CASE typeof({0}) WHEN 'integer' THEN {0} WHEN 'null' THEN 'null' ELSE '\\' END",
    "postgresql": "coalesce({0}::text, 'null')",
}
# SQLite: a blob, so no text is decoded; PostgreSQL: text, encoded once per batch.
_JOIN_SQL = {"sqlite": "CAST(group_concat({}, char(31)) AS BLOB)", "postgresql": "string_agg({}, chr(31))"}
_SEQS_SQL = {"sqlite": "group_concat(seq, ',')", "postgresql": "string_agg(seq::text, ',')"}


def _pairs(names) -> str:
    return ",".join(f'"{name}":' + ("%s" if name in _INT_FIELDS else '"%s"') for name in names)


# prev_hash, {"account":…,"detail":  SEP  ,"ip":…}  SEP  hash
ROW_TEMPLATE = ("%s{" + _pairs(HASHED[:_DETAIL]) + ',"detail":' + SEPARATOR + "," + _pairs(HASHED[_DETAIL + 1:])
                + "}" + SEPARATOR + "%s")
QUOTES_PER_ROW = ROW_TEMPLATE.count('"')
_HEAD_START = ROW_TEMPLATE.split("%s")[1].encode()  # {"account":


def _template_arg(vendor: str, name: str) -> str:
    if name == "at":
        return _AT_SQL[vendor]
    if name in ("account", "actor"):
        return _INT_SQL[vendor].format(_COLUMN[name])
    if name == "seq":
        return "seq::text" if vendor == "postgresql" else name
    # A NULL where text belongs (possible only in a rebuilt table) must not print as "": on
    # SQLite it prints a backslash (the batch is doubtful); on PostgreSQL `||` makes the whole
    # row NULL, string_agg leaves it out and the batch no longer holds its count of rows.
    return f"ifnull({name}, '\\')" if vendor == "sqlite" else name


def _row_sql(vendor: str) -> str:
    """The expression spelling one row by ROW_TEMPLATE.

    SQLite: printf(). PostgreSQL: `||`, as format() looks up each argument's output
    function on every row (several times slower).
    """
    args = ["prev_hash", *(_template_arg(vendor, n) for n in HASHED if n != "detail"), "hash"]
    if vendor == "sqlite":
        return f"printf('{ROW_TEMPLATE.replace('%s', '%%s')}', {', '.join(args)})"
    literals = ROW_TEMPLATE.split("%s")
    pieces = [piece for text, arg in zip(literals, [*args, None], strict=True)
              for piece in ((f"'{text}'" if text else None), arg) if piece]
    return " || ".join(pieces)


def batch_sql(vendor: str) -> str:
    """One batch of a chain (chain, after seq, up to seq): rows, details, their seq list, count."""
    join = _JOIN_SQL[vendor]
    return (
        f"SELECT {join.format('r')}, {join.format('d')}, {_SEQS_SQL[vendor]}, count(*) "
        f"FROM (SELECT {_row_sql(vendor)} AS r, {_DETAIL_SQL[vendor]} AS d, seq FROM {AuditEvent._meta.db_table} "
        "WHERE chain_id = %s AND seq > %s AND seq <= %s ORDER BY seq) batch"
    )


def _pg_halves() -> tuple[str, str]:
    """PostgreSQL: the expressions spelling a row by ROW_TEMPLATE before and after the detail's value."""
    args = ["prev_hash", *(_template_arg("postgresql", n) for n in HASHED if n != "detail")]
    literals = ROW_TEMPLATE.rsplit(SEPARATOR, 1)[0].split("%s")  # without the stored hash
    pieces = [piece for text, arg in zip(literals, [*args, None], strict=True)
              for piece in ((f"'{text}'" if text else None), arg) if piece]
    joined = " || ".join(pieces)
    head, tail = joined.split(f"{SEPARATOR}", 1)
    return head.rstrip() + "'", "'" + tail.lstrip()


# PostgreSQL: a row's bytes are canonical only if no text value holds a quote, a backslash or a control
# character (see the module's text): exactly the characters to_json() escapes, each into more bytes, so
# the values are plain when their JSON is just two quotes longer (one pass, no regular expression).
# A NULL text makes `plain` NULL, so the row does not match either.
_PG_TEXTS = tuple(n for n in HASHED if n not in _INT_FIELDS and n not in ("at", "detail"))
_PG_MATCHES = ("octet_length(to_json(plain)::text) = octet_length(plain) + 2"
               " AND encode(sha256(textsend(head || c || tail)), 'hex') = hash")


def _pg_rows(columns: str, *, ordered: bool) -> str:
    head, tail = _pg_halves()
    # OFFSET 0 keeps the subquery whole, so each expression is computed once per row.
    return (f"SELECT {head} AS head, {tail} AS tail, {' || '.join(_PG_TEXTS)} AS plain, "
            f"{_DETAIL_SQL['postgresql']} AS d, {columns} FROM {AuditEvent._meta.db_table} "
            f"WHERE chain_id = %s AND seq > %s AND seq <= %s {'ORDER BY seq ' if ordered else ''}OFFSET 0")


def db_batch_sql() -> str:
    """PostgreSQL: one batch (chain, after seq, up to seq, detail texts, their canonical JSON) re-hashed by the
    database: row count, rows whose hash matches, links, hashes and seq list (comma-joined, in seq order), the
    number of rows whose detail is not among the texts given, and those texts."""
    return (
        f"SELECT count(*), count(*) FILTER (WHERE c IS NOT NULL AND {_PG_MATCHES}),"
        " string_agg(prev_hash, ','), string_agg(hash, ','), string_agg(seq::text, ','),"
        " count(*) FILTER (WHERE c IS NULL), array_agg(DISTINCT d) FILTER (WHERE c IS NULL) "
        f"FROM ({_pg_rows('prev_hash, hash, seq', ordered=True)}) batch "
        "LEFT JOIN unnest(%b::text[], %b::text[]) AS known(k, c) ON known.k = batch.d"
    )


def db_details_sql() -> str:
    """PostgreSQL: of one batch, the rows whose detail is among the texts given, and how many of them match."""
    return (
        f"SELECT count(*), count(*) FILTER (WHERE {_PG_MATCHES}) FROM ({_pg_rows('hash', ordered=False)}) batch "
        "JOIN unnest(%b::text[], %b::text[]) AS new(k, c) ON new.k = batch.d"
    )


def _read_batch(cursor, sql: str, chain_id: int, after_seq: int, until_seq: int):
    """(rows, details, seq list, count) of one batch as bytes, bytes, text, int; None when empty."""
    cursor.execute(sql, [chain_id, after_seq, until_seq])
    rows, details, seqs, count = cursor.fetchone()
    if not count:
        return None
    return (rows.encode() if isinstance(rows, str) else rows,
            details.encode() if isinstance(details, str) else details, seqs, count)


def _canonical_detail(text: bytes) -> bytes:
    return orjson.dumps(orjson.loads(text), option=orjson.OPT_SORT_KEYS)


def fast_walk(chain_id: int, *, after_seq: int = 0, until_seq: int = 2**62, running: str = chainlib.GENESIS,
              watch: frozenset[int] = frozenset()) -> Walk:
    """Walk events after_seq+1..until_seq like `walk`, on the bytes the database spells for them."""
    expected = after_seq + 1
    before_running = None
    digests: dict[int, str] = {}
    while True:
        expected, running, before_running, stopped = _fast_stretch(
            chain_id, expected, until_seq, running, before_running, watch, digests)
        if stopped is None:
            return Walk(expected - 1, running, digests)
        # The exact walk up to the row that does not fit names what is wrong (were the
        # row fine after all, changed meanwhile, go on past it).
        exact = walk(stream_rows(chain_id, expected - 1, until_seq=max(stopped, expected)), expected=expected,
                     running=running, watch=watch, before_running=before_running)
        digests.update(exact.digests)
        if exact.bad_row is not None or exact.last < expected:
            exact.digests = digests
            return exact
        expected, running, before_running = exact.last + 1, exact.running, exact.before_running


def _fast_stretch(chain_id, expected, until_seq, running, before_running, watch, digests):
    """Re-hash from `expected` on; stop at the end (stopped None) or at a row that does not fit (its seq).

    A doubtful batch is walked the exact way here, so an intact chain never stops.
    """
    cache: dict = {}
    with connection.cursor() as cursor, contextlib.ExitStack() as stack:
        # PostgreSQL hashes in the database when it sends text as UTF-8 (textsend gives the bytes hashed).
        in_db = connection.vendor == "postgresql" and connection.connection.info.encoding == "utf-8"
        sql = batch_sql(connection.vendor)
        if in_db:
            import psycopg

            # Parameters bound by the server: Django's cursor would spell the arrays of details into the
            # statement's text element by element.
            db_cursor = stack.enter_context(psycopg.Cursor(connection.connection))
            db_sql, known = db_batch_sql(), {}
        in_python = 0  # PostgreSQL: batches to re-hash in Python, as most of their details are new
        while expected <= until_seq:
            upto = min(expected - 1 + BATCH, until_seq)
            if in_db and not in_python:
                count, confirmed, new = _confirm_in_db(db_cursor, db_sql, chain_id, expected, upto, running,
                                                       watch, digests, known)
                if new * NEW_DETAILS > count:  # each new text sent twice: the Python walk costs less
                    in_python = IN_PYTHON
            else:
                in_python = max(in_python - 1, 0)
                batch = _read_batch(cursor, sql, chain_id, expected - 1, upto)
                if len(cache) >= DETAIL_CACHE:
                    cache.clear()
                count = batch[3] if batch is not None else 0
                confirmed = _confirm(batch, expected, running, watch, digests, cache) if count else None
            if not count:
                break
            if confirmed is not None:
                expected, running, before_running = expected + count, *confirmed
                continue
            exact = walk(stream_rows(chain_id, expected - 1, upto), expected=expected, running=running,
                         watch=watch, before_running=before_running)
            digests.update(exact.digests)
            if exact.bad_row is not None or exact.last < expected:
                stopped = exact.bad_row[_SEQ] if exact.bad_row is not None else expected
                return exact.last + 1, exact.running, exact.before_running, stopped
            expected, running, before_running = exact.last + 1, exact.running, exact.before_running
    return expected, running, before_running, None


# What makes a batch doubtful where it stands in a value: a quote, a backslash, or a control character
# other than the separator (canonical JSON escapes each, the database spells it raw). The template's own
# quotes are among them, so a batch holds exactly its rows' share of these bytes only when no value has one.
_DOUBTFUL = bytes(range(0x1f)) + b'"\\'


def _confirm(batch, expected: int, running: str, watch, digests: dict, cache: dict):
    """Re-hash one batch; return (its last hash, the one before), or None when in doubt."""
    rows, details, seqs, count = batch
    parts, details = rows.split(b"\x1f"), details.split(b"\x1f")
    # (One pass over the batch deletes every doubtful byte: the template's quotes are always there, so
    # the count removed is the template's exactly when there is no other.)
    if (len(parts) != 3 * count or len(details) != count
            or len(rows) - len(rows.translate(None, _DOUBTFUL)) != QUOTES_PER_ROW * count
            or seqs != ",".join(map(str, range(expected, expected + count)))):
        return None
    for detail in set(details).difference(cache):
        try:
            cache[detail] = _canonical_detail(detail)
        except orjson.JSONDecodeError:
            return None
    heads, tails, stored = parts[0::3], parts[1::3], parts[2::3]
    # Each row links to the hash stored before it (the first to `running`): its head is that hash and
    # the template's first quoted key, so nothing more hides in prev_hash (it would add quotes). And the
    # hashes of head + JSON match the stored ones. Each step a C loop over the batch (map), no Python per row.
    if not all(map(bytes.startswith, heads, map(operator.add, [running.encode(), *stored[:-1]],
                                                itertools.repeat(_HEAD_START)))):
        return None
    add = operator.add
    payloads = map(add, map(add, heads, map(cache.__getitem__, details)), tails)
    if ",".join(map(_HEXDIGEST, map(hashlib.sha256, payloads))).encode() != b",".join(stored):
        return None  # (each digest is 64 hex digits, so the commas line up only where each row's does)
    for seq in watch:
        if expected <= seq < expected + count:
            digests[seq] = stored[seq - expected].decode()
    return stored[-1].decode(), (stored[-2].decode() if count > 1 else running)


def _confirm_in_db(cursor, sql: str, chain_id: int, expected: int, upto: int, running: str, watch, digests: dict,
                   known: dict[str, str]):
    """PostgreSQL: have the database re-hash one batch; return (rows, (its last hash, the one before), new
    detail texts), with None for the hashes when in doubt. `known` maps detail texts to their canonical JSON
    (remembered across batches)."""
    cursor.execute(sql, [chain_id, expected - 1, upto, list(known), list(known.values())])
    count, matched, links, hashes, seqs, unknown_rows, unknown = cursor.fetchone()
    fresh = len(unknown or ())
    if not count:
        return 0, None, 0
    if unknown_rows:
        # Details not seen yet: serialized here, once each, and the rows holding them re-hashed.
        if any(text is None for text in unknown):
            return count, None, fresh
        try:
            new = {text: _canonical_detail(text.encode()).decode() for text in unknown}
        except orjson.JSONDecodeError:
            return count, None, fresh
        cursor.execute(db_details_sql(), [chain_id, expected - 1, upto, list(new), list(new.values())])
        rows, new_matched = cursor.fetchone()
        if rows != unknown_rows:
            return count, None, fresh
        matched += new_matched
        if len(known) + len(new) <= DB_DETAILS:
            known.update(new)
    # Every row's hash matches (so each is 64 hex digits and `hashes` splits at every 65th character);
    # each row links to the one before it and the first to `running`; seq runs from `expected` unbroken.
    if (matched != count or seqs != ",".join(map(str, range(expected, expected + count)))
            or links != (running + "," + hashes)[:-65]):
        return count, None, fresh
    for seq in watch:
        if expected <= seq < expected + count:
            at = 65 * (seq - expected)
            digests[seq] = hashes[at:at + 64]
    return count, (hashes[-64:], hashes[-129:-65] if count > 1 else running), fresh


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
    return Walk(expected - 1, running, digests, before_running=before_running)


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
