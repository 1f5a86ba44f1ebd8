"""Hot reads whose SQL is written once, read into model instances as the ORM would.

The ORM compiles a queryset on every call, and for the statement every account page runs
(the username's memberships, for the access rule and the provider dropdown) compiling
costs more than running it. `Columns` lists one model's columns for such a statement and
turns its part of a row into an instance with the same converters the ORM applies (the
backend's, then the field's: JSON decoded, SQLite's datetimes parsed), so an instance read
here equals one the ORM reads (tests/core/test_prepared.py compares them on both databases).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection, connections


class Columns:
    """The concrete columns of `model` (all, or all but `leave_out`) under the SQL alias
    `alias`, and how to read them back (columns left out are deferred, as with .defer())."""

    def __init__(self, model, alias: str, leave_out: tuple[str, ...] = ()):
        self.model = model
        self.alias = alias
        self.fields = [f for f in model._meta.concrete_fields if f.name not in leave_out]
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    @property
    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self.fields)

    def _converters_for(self, conn) -> list:
        """Per column, the (converter, expression) pairs the ORM's compiler would apply."""
        found = self._converters.get(conn.vendor)
        if found is None:
            found = []
            for field in self.fields:
                col = field.get_col(self.model._meta.db_table)
                found.append([(c, col) for c in conn.ops.get_db_converters(col) + col.get_db_converters(conn)])
            self._converters[conn.vendor] = found
        return found

    def instances(self, rows, start: int = 0) -> list:
        """The model instances held in row[start:start + len(self)] of each row."""
        conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the `connection` proxy is slow per access
        steps = [(i, converter, col) for i, pairs in enumerate(self._converters_for(conn))
                 for converter, col in pairs]
        end, from_db, alias, names = start + len(self.fields), self.model.from_db, conn.alias, self.attnames
        found = []
        for row in rows:
            values = list(row[start:end])
            for i, converter, col in steps:
                values[i] = converter(values[i], col, conn)
            found.append(from_db(alias, names, values))
        return found
