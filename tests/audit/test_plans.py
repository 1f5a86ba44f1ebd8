"""Query plans of the Activity Log on PostgreSQL at 100,000 events: every filter, and the
combinations the form allows, read its page from an index in seq order (no table scan, no
bitmap, no sort of the matches), so a page costs the same at a thousand events and a million.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practicegate.audit.models import AuditChain
from practicegate.audit.selectors import (
    COUNT_LIMIT,
    PAGE_SIZE,
    EventFilter,
    account_events,
    count_events,
)
from tests.audit.helpers import bare_account

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgresql("PostgreSQL's planner, with statistics"),
    pytest.mark.django_db,
]
EVENTS = 100_000
START = datetime(2030, 1, 1, tzinfo=UTC)


def at(seq: int) -> datetime:
    return START + timedelta(milliseconds=7 * seq)


@pytest.fixture
def big_account():
    """One account with EVENTS events (and a smaller neighbour), inserted set-based; hashes are not checked."""
    account, neighbour = bare_account(), bare_account()
    with connection.cursor() as cursor:
        for acc, count in ((account, EVENTS), (neighbour, EVENTS // 10)):
            chain = AuditChain.objects.create(account=acc, seq=count)
            cursor.execute(
                """
                INSERT INTO audit_auditevent (chain_id, account_id, seq, at, actor_id, actor_username, channel,
                    action, section, target_type, target_id, outcome, ip, user_agent, request_id, detail,
                    prev_hash, hash)
                SELECT %s, %s, g, %s + g * interval '7 milliseconds', %s,
                    CASE WHEN g %% 5000 = 1 THEN 'rare' ELSE 'user' || (g %% 19) END, 'web',
                    CASE WHEN g %% 5000 = 2 THEN 'audit.export' WHEN g %% 7 = 0 THEN 'account.update'
                         ELSE 'page.view' END,
                    CASE WHEN g %% 5000 = 3 THEN 'rare'
                         ELSE (ARRAY['reports', 'payers', 'settings', 'codes', 'usernames'])[g %% 5 + 1] END,
                    CASE WHEN g %% 5000 = 4 THEN 'rare.type' WHEN g %% 7 = 0 THEN 'accounts.account'
                         ELSE '' END,
                    CASE WHEN g %% 5000 = 4 THEN 'r1' ELSE (g %% 997)::text END,
                    CASE WHEN g %% 5000 = 5 THEN 'failure' WHEN g %% 13 = 0 THEN 'denied' ELSE 'success' END,
                    '', '', '', '{}'::jsonb,
                    repeat('0', 64), repeat('0', 64)
                FROM generate_series(1, %s) AS g
                """,
                [chain.pk, acc.pk, START, acc.owner_id, count],
            )
        cursor.execute("ANALYZE audit_auditevent")
    return account


since, until = at(EVENTS // 10), at(EVENTS // 5)
# Rare values (one event in 5,000), where reading the newest rows and discarding the rest would
# walk the whole account: each must have its own index. Common values pass as long as some
# index reads the page in order.
FILTERS = {
    "no filter": (EventFilter(), {"audit_account_seq"}),
    "username": (EventFilter(username="RARE"), {"audit_account_uname"}),
    "action": (EventFilter(action="audit.export"), {"audit_account_action"}),
    "section": (EventFilter(section="rare"), {"audit_account_section"}),
    "outcome": (EventFilter(outcome="failure"), {"audit_account_outcome"}),
    "target type": (EventFilter(target_type="rare.type"), {"audit_target_type_set"}),
    "target id": (EventFilter(target_id="r1"), {"audit_target_id_set"}),
    "target type and id": (EventFilter(target_type="rare.type", target_id="r1"), {"audit_target_set"}),
    "date range": (EventFilter(since=since, until=until), {"audit_account_seq"}),
    "date from": (EventFilter(since=since), {"audit_account_seq"}),
    "date to": (EventFilter(until=until), {"audit_account_seq"}),
    "date range and username": (EventFilter(since=since, until=until, username="rare"), {"audit_account_uname"}),
    "date range and action": (EventFilter(since=since, until=until, action="audit.export"),
                              {"audit_account_action"}),
    "date range and target": (EventFilter(since=since, until=until, target_type="rare.type", target_id="r1"),
                              {"audit_target_set"}),
    "username and action": (EventFilter(username="rare", action="audit.export"),
                            {"audit_account_uname", "audit_account_action"}),
    "section and outcome": (EventFilter(section="rare", outcome="failure"),
                            {"audit_account_section", "audit_account_outcome"}),
    "common username and action": (EventFilter(username="user7", action="account.update"), None),
    "common target type": (EventFilter(target_type="accounts.account"), None),
    "common section and outcome": (EventFilter(section="reports", outcome="denied"), None),
    # The page's default: "Opened a page" left out.
    "page views left out": (EventFilter(page_views=False), {"audit_account_seq"}),
    "page views left out, username": (EventFilter(page_views=False, username="RARE"), {"audit_account_uname"}),
    "page views left out, action": (EventFilter(page_views=False, action="audit.export"), {"audit_account_action"}),
    "page views left out, date range": (EventFilter(page_views=False, since=since, until=until),
                                        {"audit_account_seq"}),
}


# The events table's indexes that start with the account (the rest serve My Activity).
ACCOUNT_INDEXES = {"audit_account_seq", "audit_account_at_seq", "audit_account_uname", "audit_account_action",
                   "audit_account_section", "audit_account_outcome", "audit_target_type_set", "audit_target_id_set",
                   "audit_target_set"}


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _page_scan(plan: str) -> str:
    """The plan's line that reads the page's rows (the InitPlans find a date range's seqs)."""
    return next(line for line in plan.splitlines() if "Scan" in line and "InitPlan" not in line
                and not line.strip().startswith("->  Limit") and "audit_account_at_seq" not in line)


def test_each_filter_reads_its_page_in_index_order(big_account):
    for name, (flt, indexes) in FILTERS.items():
        for cursor in ({}, {"seq__lt": EVENTS // 2}):  # first page, and an "Older" page
            plan = _plan(account_events(big_account, flt).filter(**cursor).order_by("-seq")[: PAGE_SIZE + 1])
            assert "Seq Scan" not in plan and "Bitmap" not in plan and "Sort" not in plan, (name, plan)
            scan = _page_scan(plan)
            assert "Index" in scan and any(f" {index} " in scan for index in ACCOUNT_INDEXES), (name, plan)
            if indexes:
                assert any(f" {index} " in scan for index in indexes), (name, plan)
            if flt.since or flt.until:
                assert "audit_account_at_seq" in plan, (name, plan)  # the range's ends: one seek each


def test_the_count_of_matching_events_reads_the_same_index_and_stops_at_its_limit(big_account):
    """The page's "N events match": a count of at most COUNT_LIMIT + 1 rows (selectors), read in index order."""
    for name, (flt, indexes) in FILTERS.items():
        with CaptureQueriesContext(connection) as queries:
            count_events(big_account, flt)
        for counted in [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"].upper()]:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + counted)
                _check_count_plan(name, big_account, flt, indexes, "\n".join(row[0] for row in cursor.fetchall()))


def _check_count_plan(name, account, flt, indexes, plan):
    assert "Seq Scan" not in plan and "Limit" in plan, (name, plan)
    if "Bitmap" in plan or "Sort" in plan:
        # Reading every match and sorting is the planner's choice only when there are about as
        # many matches as the limit: then it costs about what the limit allows anyway.
        matches = account_events(account, flt).count()
        assert matches < 3 * COUNT_LIMIT, (name, matches, plan)
        return
    scan = _page_scan(plan)
    assert "Index" in scan, (name, plan)
    if indexes:  # leaving out page views alone counts two ranges of the action index
        assert any(f" {index} " in scan for index in indexes | {"audit_account_action"}), (name, plan)


def test_a_partial_username_reads_an_index(big_account):
    """A part of a name matching several usernames: an index, never a scan of the table."""
    flt = EventFilter(usernames=("rare", "user7", "user8"))
    plan = _plan(account_events(big_account, flt).order_by("-seq")[: PAGE_SIZE + 1])
    assert "Seq Scan" not in plan, plan


def test_the_username_choices_seek_the_username_index_once_per_name(big_account):
    """The Username filter's list: one seek per username in audit_account_uname, never a scan."""
    from practicegate.audit.selectors import account_usernames

    with CaptureQueriesContext(connection) as queries:
        names = account_usernames(big_account)
    assert set(names) == {"rare"} | {f"user{i}" for i in range(19)}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on audit_auditevent" not in plan and "audit_account_uname" in plan, plan
