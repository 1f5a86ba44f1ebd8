"""record(): three statements per event, a non-decreasing time, and date ranges that follow from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.selectors import EventFilter, account_events
from practicegate.audit.services import record
from practicegate.audit.verify import verify_all
from tests.audit.conftest import append, bare_account, chain_of

pytestmark = pytest.mark.django_db


def test_an_event_costs_three_statements_inside_the_callers_transaction():
    account = bare_account()
    append(account, 1)  # the chain row exists from the first event on
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        record("page.view", account=account, section="reports")
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["UPDATE", "INSERT", "UPDATE"], queries.captured_queries
    assert "RETURNING" in queries.captured_queries[0]["sql"].upper()


def test_the_first_event_creates_the_chain_and_the_system_chain_works_the_same():
    account = bare_account()
    assert not AuditChain.objects.filter(account=account).exists()
    first = record("page.view", account=account)
    second = record("page.view", account=account)
    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert chain_of(account).head_hash == second.hash and chain_of(account).head_at == second.at
    system = [record("auth.login_failed", account=None, actor_username=f"nobody{i}") for i in range(2)]
    assert system[1].seq == system[0].seq + 1 and system[1].prev_hash == system[0].hash
    assert verify_all()[1] == []


def test_an_event_is_never_stamped_before_the_previous_one():
    """A clock stepped back must not make the chain's time go backwards (date ranges rely on it)."""
    account = bare_account()
    append(account, 1)
    ahead = datetime.now(UTC) + timedelta(hours=1)
    AuditChain.objects.filter(account=account).update(head_at=ahead)
    event = record("page.view", account=account)
    event.refresh_from_db()
    assert event.at == ahead
    assert verify_all(account=account)[1] == []


def test_a_date_range_is_the_same_as_filtering_on_the_time():
    account = bare_account()
    append(account, 30)
    events = list(AuditEvent.objects.filter(account=account).order_by("seq"))
    lo, hi = events[7].at, events[21].at
    cases = [(lo, hi), (lo, None), (None, hi), (events[-1].at + timedelta(seconds=1), None),
             (None, events[0].at), (events[0].at - timedelta(days=1), events[-1].at + timedelta(days=1))]
    for since, until in cases:
        expected = [e.seq for e in events if (since is None or e.at >= since) and (until is None or e.at < until)]
        got = list(account_events(account, EventFilter(since=since, until=until))
                   .order_by("seq").values_list("seq", flat=True))
        assert got == expected, (since, until)
    other = bare_account()
    append(other, 3)
    assert not account_events(other, EventFilter(since=lo, until=hi)).filter(seq__gt=3).exists()
