"""Reports → Activity Log: newest first, filters, keyset pages, bad input answered clearly."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from practicegate.audit.models import AuditEvent, Outcome
from practicegate.audit.services import record
from practicegate.core.sections import Level, full_levels
from tests.helpers import add_member, login_client, make_user

pytestmark = pytest.mark.django_db


def url(account, **query):
    from urllib.parse import urlencode

    base = reverse("audit:activity-log", kwargs={"account": account.slug})
    return base + ("?" + urlencode(query) if query else "")


def seqs(response):
    return [e.seq for e in response.context["page"].rows]


def test_newest_first_and_scoped_to_the_account(owner_client, owner_account, other_account):
    record("page.view", account=other_account, actor_username="lakeside-secret", detail={})
    response = owner_client.get(url(owner_account))
    assert response.status_code == 200
    shown = seqs(response)
    assert shown == sorted(shown, reverse=True)
    assert all(e.account_id == owner_account.pk for e in response.context["page"].rows)
    assert b"lakeside-secret" not in response.content
    assert b"Created a provider account" in response.content


def test_keyset_pages_walk_the_whole_log_without_repeats(owner_client, owner_account):
    for i in range(120):
        record("page.view", account=owner_account, actor_username="walker", detail={"i": i})
    seen, link = [], url(owner_account, username="walker", pages="on")
    while link:
        response = owner_client.get(link)
        page = response.context["page"]
        seen += seqs(response)
        link = url(owner_account, username="walker", pages="on", before=page.before) if page.before else None
    assert len(seen) == 120 and len(set(seen)) == 120
    assert seen == sorted(seen, reverse=True)
    # and back: the last page's Newer link returns the page before it
    assert page.after == seen[100]
    back = owner_client.get(url(owner_account, username="walker", pages="on", after=page.after))
    assert seqs(back) == seen[50:100]
    assert back.context["page"].before == seen[99]


def test_filters(owner_client, owner_account, owner):
    alice = make_user("Alice")
    add_member(owner_account, alice)
    record("account.update", account=owner_account, actor=alice, section="settings", target=owner_account)
    record("access.denied", account=owner_account, actor=alice, section="payers", outcome=Outcome.DENIED)
    with time_machine.travel("2030-01-15 12:00:00+00:00", tick=False):
        record("page.view", account=owner_account, actor=owner, section="reports", target_type="thing", target_id="42")

    def only(**query):
        response = owner_client.get(url(owner_account, pages="on", **query))
        assert response.status_code == 200, response.content
        # The test's own page views are logged too; leave them out.
        return {e.action for e in response.context["page"].rows if e.action != "page.view" or e.target_id == "42"}

    assert only(username="alice") == {"account.update", "access.denied"}  # case-insensitive
    assert only(action="account.update") == {"account.update"}
    assert only(section="payers") == {"access.denied"}
    assert only(outcome="denied") == {"access.denied"}
    assert only(target_id="42") == {"page.view"}
    assert only(target_type="thing", target_id="42") == {"page.view"}
    assert only(date_from="2030-01-15", date_to="2030-01-15") == {"page.view"}
    assert only(date_to="2029-12-31", username="alice") == {"account.update", "access.denied"}
    assert only(date_from="2030-01-16") == set()


@pytest.mark.parametrize("query, message", [
    ({"date_from": "2030-02-31"}, b"Enter a valid date"),
    ({"date_from": "2030-02-02", "date_to": "2030-02-01"}, b"start date is after the end date"),
    ({"date_to": "9999-12-31"}, b"Enter a date from 01/01/1900 to 12/31/9998"),
    ({"date_from": "9999-12-31"}, b"Enter a date from 01/01/1900 to 12/31/9998"),
    ({"date_from": "0001-01-01"}, b"Enter a date from 01/01/1900 to 12/31/9998"),
    ({"date_to": "0001-01-01"}, b"Enter a date from 01/01/1900 to 12/31/9998"),
    ({"date_to": "10000-01-01"}, b"Enter a valid date"),
    ({"date_from": "-0001-01-01"}, b"Enter a valid date"),
    ({"date_to": "2030-13-45"}, b"Enter a valid date"),
    ({"date_to": "\x00"}, b"Enter a valid date"),
    ({"action": "no.such.action"}, b"Select a valid choice"),
    ({"section": "nope"}, b"Select a valid choice"),
    ({"outcome": "maybe"}, b"Select a valid choice"),
    ({"username": "x" * 151}, b"at most 150 characters"),
    ({"username": "bad\u200bname"}, b"invisible or control characters"),
    ({"target_id": "a\x00b"}, b"Null characters are not allowed"),
    ({"before": "abc"}, b"Enter a whole number"),
    ({"before": "-5"}, b"greater than or equal to 1"),
    ({"before": "9" * 40}, b"less than or equal to"),
    ({"before": "\x00"}, b"Enter a whole number"),
    ({"after": "1_000"}, b"Enter a whole number"),
    ({"after": "0"}, b"greater than or equal to 1"),
    ({"before": "5", "after": "2"}, b"either an older-page or a newer-page link"),
])
def test_bad_filter_values_get_a_message_not_a_500(owner_client, owner_account, query, message):
    response = owner_client.get(url(owner_account, **query))
    assert response.status_code == 400
    assert message in response.content
    assert response.context["page"] is None


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_widest_allowed_dates_work_in_any_time_zone(owner_client, owner_account, zone):
    owner_account.time_zone = zone  # the filter's dates are days in the account's zone
    owner_account.save(update_fields=["time_zone"])
    response = owner_client.get(url(owner_account, date_from="1900-01-01", date_to="9998-12-31"))
    assert response.status_code == 200
    assert response.context["page"].rows


def test_view_only_may_read_and_no_access_is_refused(owner_account):
    viewer = make_user("viewer")
    add_member(owner_account, viewer, {**full_levels(), "reports": int(Level.VIEW)})
    assert login_client(viewer).get(url(owner_account)).status_code == 200
    blocked = make_user("blocked")
    add_member(owner_account, blocked, {**full_levels(), "reports": int(Level.NONE)})
    client = login_client(blocked)
    before = AuditEvent.objects.count()
    assert client.get(url(owner_account)).status_code == 403
    denied = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (denied.action, denied.outcome, denied.actor_id) == ("access.denied", "denied", blocked.pk)


def test_outsider_gets_404(owner_account, outsider):
    assert login_client(outsider).get(url(owner_account)).status_code == 404


def test_filtered_queries_use_an_index(owner_account):
    """Each filter has an index that starts with the account (a million rows stay fast)."""
    from django.db import connection

    from practicegate.audit.models import AuditEvent
    from practicegate.audit.selectors import EventFilter, account_events

    starting_with_the_account = [index.name for index in AuditEvent._meta.indexes
                                 if (index.fields or index.expressions)[0] in ("account", "-account")
                                 or (index.expressions and str(index.expressions[0]) == "F(account)")]
    assert len(starting_with_the_account) == 9
    if connection.vendor == "postgresql":  # a tiny test table would be scanned; ask what an index offers
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    for flt in [EventFilter(username="alice"), EventFilter(action="page.view"), EventFilter(section="settings"),
                EventFilter(outcome="denied"), EventFilter(target_id="7"), EventFilter(target_type="thing"),
                EventFilter(since=timezone.now() - timedelta(days=2), until=timezone.now() - timedelta(days=1))]:
        qs = account_events(owner_account, flt).order_by("-seq")[:51]
        plan = qs.explain()
        if connection.vendor == "sqlite":
            assert any(f"INDEX {name} (account_id=" in plan for name in starting_with_the_account), (flt, plan)
            assert "SCAN audit_auditevent" not in plan and "TEMP B-TREE" not in plan, (flt, plan)
        else:
            assert "Index" in plan, (flt, plan)
