"""The set-based SQL behind Copy Codes to Another Account.

Each statement works on whole files at once (INSERT ... SELECT, UPDATE ... FROM,
COUNT over a semi-join): a Python loop over 74,000 ICD-10-CM codes would be
ten times slower. The text is built from the models' _meta (table and column
names, quoted by the backend) and runs unchanged on SQLite (3.33+, for
UPDATE ... FROM) and PostgreSQL. Every value travels as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db import connection

from practicegate.masterfiles.kinds import KINDS, Kind


@dataclass(frozen=True)
class CopyFile:
    """One master file as the copy sees it: its Kind, and the SQL names the statements need."""

    kind: Kind

    @property
    def key(self) -> str:
        return self.kind.copy_name

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def section(self) -> str:
        return self.kind.section

    @property
    def model(self) -> type:
        return self.kind.model

    @property
    def match(self) -> tuple[str, ...]:
        return self.kind.match

    @property
    def compare(self) -> tuple[str, ...]:
        return self.kind.compare

    @property
    def by_payer_id(self) -> bool:
        return self.kind.by_payer_id

    def col(self, field: str) -> str:
        return connection.ops.quote_name(self.model._meta.get_field(field).column)

    @cached_property
    def table(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    @cached_property
    def carried(self) -> tuple[str, ...]:
        """Fields copied from the source row as they are (everything but id, account, timestamps, version)."""
        skip = {"id", "account", "created_at", "updated_at", "version"}
        return tuple(f.name for f in self.model._meta.concrete_fields if f.name not in skip)

    def matches(self, src: str, dst: str) -> str:
        """SQL condition: row `dst` is the destination's counterpart of source row `src`."""
        if self.by_payer_id:
            pid, name = self.col("payer_id"), self.col("name")
            return f"{dst}.{pid} = {src}.{pid} AND ({src}.{pid} <> '' OR {dst}.{name} = {src}.{name})"
        return " AND ".join(f"{dst}.{self.col(f)} = {src}.{self.col(f)}" for f in self.match)

    def same(self, src: str, dst: str) -> str:
        return " AND ".join(f"{dst}.{self.col(f)} = {src}.{self.col(f)}" for f in self.compare)


# The copy's files by the name users give them, in the order of the master-file registry.
FILES: dict[str, CopyFile] = {kind.copy_name: CopyFile(kind) for kind in KINDS.values()}


def _run(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _one(sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _stamp(now):
    return connection.ops.adapt_datetimefield_value(now)


def has_rows(f: CopyFile, account_id: int) -> bool:
    return _one(f"SELECT 1 FROM {f.table} WHERE {f.col('account')} = %s LIMIT 1", [account_id]) is not None


def count(f: CopyFile, source_id: int, dest_id: int, *, dest_empty: bool | None = None) -> dict[str, int]:
    """Source rows that the destination lacks, has identically, and has with differences."""
    acc = f.col("account")
    if dest_empty if dest_empty is not None else not has_rows(f, dest_id):
        # An empty destination needs no probe per row.
        total = _one(f"SELECT COUNT(*) FROM {f.table} WHERE {acc} = %s", [source_id])[0]
        return {"added": total, "identical": 0, "different": 0}
    total, matched, identical = _one(
        f"SELECT COUNT(*),"
        f" COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM {f.table} d WHERE d.{acc} = %s"
        f" AND {f.matches('s', 'd')}) THEN 1 ELSE 0 END), 0),"
        f" COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM {f.table} d WHERE d.{acc} = %s"
        f" AND {f.matches('s', 'd')} AND {f.same('s', 'd')}) THEN 1 ELSE 0 END), 0)"
        f" FROM {f.table} s WHERE s.{acc} = %s",
        [dest_id, dest_id, source_id],
    )
    return {"added": total - matched, "identical": identical, "different": matched - identical}


def insert_missing(f: CopyFile, source_id: int, dest_id: int, now, *, dest_empty: bool = False) -> int:
    """Add every source row the destination has no counterpart for; return how many.

    `dest_empty` (known under the copy's lock) drops the per-row probe: nothing can match.
    """
    acc = f.col("account")
    cols = [f.col(name) for name in f.carried]
    probe = "" if dest_empty else (
        f" AND NOT EXISTS (SELECT 1 FROM {f.table} d WHERE d.{acc} = %s AND {f.matches('s', 'd')})")
    # ON CONFLICT guards the unique constraints should a row arrive by another path meanwhile.
    sql = (
        f"INSERT INTO {f.table} ({acc}, {f.col('created_at')}, {f.col('updated_at')}, {f.col('version')},"
        f" {', '.join(cols)})"
        f" SELECT %s, %s, %s, 1, {', '.join('s.' + c for c in cols)} FROM {f.table} s"
        f" WHERE s.{acc} = %s{probe}"
        f" ON CONFLICT DO NOTHING"
    )
    stamp = _stamp(now)
    return _run(sql, [dest_id, stamp, stamp, source_id] + ([] if dest_empty else [dest_id]))


def replace_different(f: CopyFile, source_id: int, dest_id: int, now) -> int:
    """Overwrite destination rows that differ from their source counterpart; return how many."""
    acc = f.col("account")
    sets = ", ".join(f"{f.col(name)} = s.{f.col(name)}" for name in f.compare)
    # Payers matched by name may have several source twins: take the oldest one.
    first_twin = (
        f" AND NOT EXISTS (SELECT 1 FROM {f.table} s2 WHERE s2.{acc} = %s"
        f" AND {f.matches('s2', 'd')} AND s2.{f.col('id')} < s.{f.col('id')})"
        if f.by_payer_id else ""
    )
    sql = (
        # The version goes up, so an edit page opened before the copy is refused, not obeyed.
        f"UPDATE {f.table} AS d SET {sets}, {f.col('updated_at')} = %s,"
        f" {f.col('version')} = d.{f.col('version')} + 1 FROM {f.table} AS s"
        f" WHERE d.{acc} = %s AND s.{acc} = %s AND {f.matches('s', 'd')} AND NOT ({f.same('s', 'd')})"
        f"{first_twin}"
    )
    params = [_stamp(now), dest_id, source_id] + ([source_id] if f.by_payer_id else [])
    return _run(sql, params)


def differing_examples(f: CopyFile, source_id: int, dest_id: int, limit: int = 3) -> list[dict]:
    """A few source rows that differ from their destination counterpart, both sides' values."""
    acc = f.col("account")
    fields = f.compare if f.by_payer_id else f.match + f.compare
    cols = [f.col(name) for name in fields]
    sql = (
        f"SELECT {', '.join('s.' + c for c in cols)}, {', '.join('d.' + c for c in cols)}"
        f" FROM {f.table} s JOIN {f.table} d ON d.{acc} = %s AND {f.matches('s', 'd')}"
        f" WHERE s.{acc} = %s AND NOT ({f.same('s', 'd')})"
        f" ORDER BY s.{f.col('id')} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [dest_id, source_id, limit])
        rows = cursor.fetchall()
    n = len(fields)
    return [{"fields": fields, "source": row[:n], "destination": row[n:]} for row in rows]


def bare_insert(f: CopyFile, source_id: int, dest_id: int, now) -> int:
    """The plain INSERT ... SELECT the benchmark measures the copy against (no checks at all)."""
    acc = f.col("account")
    cols = [f.col(name) for name in f.carried]
    sql = (
        f"INSERT INTO {f.table} ({acc}, {f.col('created_at')}, {f.col('updated_at')}, {f.col('version')},"
        f" {', '.join(cols)})"
        f" SELECT %s, %s, %s, 1, {', '.join('s.' + c for c in cols)} FROM {f.table} s WHERE s.{acc} = %s"
    )
    stamp = _stamp(now)
    return _run(sql, [dest_id, stamp, stamp, source_id])
