"""The fast walk of verify: re-hash a chain batch by batch on the bytes the database spells.

`fast_walk` reads a batch of 2,000 events at a time, the database spelling each
row (spelling.ROW_TEMPLATE) as its link (prev_hash) plus the canonical JSON before
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

The exact walk (walk.py) takes the same fields as a dict through `chain.canonical`,
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

import orjson
import psycopg
from django.db import connection

from practicegate.audit import chain as chainlib
from practicegate.audit.spelling import (
    HEAD_START,
    QUOTES_PER_ROW,
    SEQ_INDEX,
    batch_sql,
    db_batch_sql,
    db_details_sql,
)
from practicegate.audit.walk import Walk, stream_rows, walk

_HEXDIGEST = type(hashlib.sha256()).hexdigest
BATCH = 2000  # rows per query: big enough that the query's own cost vanishes
DETAIL_CACHE = 20_000  # distinct detail texts remembered by one fast walk
DB_DETAILS = 1_000  # PostgreSQL: distinct detail texts sent along with each batch
NEW_DETAILS = 4  # PostgreSQL: a batch with more than one new detail text in 4 rows is followed by
IN_PYTHON = 32  # this many batches re-hashed in Python, then the database is tried again


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
                stopped = exact.bad_row[SEQ_INDEX] if exact.bad_row is not None else expected
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
                                                itertools.repeat(HEAD_START)))):
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


