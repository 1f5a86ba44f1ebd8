"""Query plans of the list queries, on whichever database the tests run."""

from __future__ import annotations

from django.db import connection

from practicegate.masterfiles import selectors
from practicegate.masterfiles.kinds import Kind


def page_query(account, kind: Kind, query: str = ""):
    """The query one list page runs (first page), as masterfile_page builds it."""
    return selectors.search(account, kind, query).order_by(*kind.order)[: selectors.PAGE_SIZE + 1]


def explain(qs, *, force_index: bool = False) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        if force_index:  # tiny test tables: ask whether an index *can* answer, not whether it is cheaper
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
