"""How the database spells the events' hashed fields: the SQL both walks of verify read.

HASHED is the order of the hashed fields (sorted, as chain.canonical serializes them).
`select_sql` returns each field as a value, for the exact walk (walk.py);
ROW_TEMPLATE and the statements built on it spell a row as the bytes it hashes to,
for the fast walk (fastwalk.py, whose text says why those bytes can be trusted).
"""

from __future__ import annotations

from practicegate.audit import chain as chainlib
from practicegate.audit.models import AuditEvent

# Hashed fields in sorted order: the SELECT returns them in this order, so the
# row zips straight into the dict that chain.canonical serializes.
HASHED = tuple(sorted(chainlib.event_fields(
    seq=0, account_id=None, at=chainlib.EPOCH, actor_id=None, actor_username="", channel="", action="",
    section="", target_type="", target_id="", outcome="", ip="", user_agent="", request_id="", detail={},
)))
_DETAIL = HASHED.index("detail")
SEQ_INDEX = HASHED.index("seq")

_AT_SQL = {
    # Django stores SQLite datetimes as naive UTC text, without ".000000" when microsecond == 0.
    "sqlite": "replace(at, ' ', 'T') || CASE WHEN length(at) = 19 THEN '.000000' ELSE '' END || '+00:00'",
    "postgresql": "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')",
}
_DETAIL_SQL = {"sqlite": "detail", "postgresql": "detail::text"}
_COLUMN = {"account": "account_id", "actor": "actor_id"}

# The fast walk's batches (see fastwalk's text).
SEPARATOR = "\x1f"
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
# {"account": where the first value begins, after a row's link
HEAD_START = ROW_TEMPLATE.split("%s")[1].encode()


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


def select_sql(vendor: str) -> str:
    """The exact walk's rows of one chain (chain, after seq, up to seq): the hashed fields, prev_hash, hash."""
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


