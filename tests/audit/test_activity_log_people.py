"""The Activity Log's clients, filters and count: a client's name only for a viewer with
Clients access in that account (and then logged as a PHI read), the Action filter grouped by
section, the Username filter by choice or part of a name, page views left out unless asked,
and the number of matching events, counted up to a limit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practicegate.audit.models import AuditEvent
from practicegate.audit.selectors import EventFilter, account_events, count_events
from practicegate.audit.services import record
from practicegate.core.sections import Level, full_levels
from tests.clients.helpers import make_client
from tests.helpers import add_member, login_client, make_user, new_member

pytestmark = pytest.mark.django_db


def log_url(account, **query):
    from urllib.parse import urlencode

    return reverse("audit:activity-log", kwargs={"account": account.slug}) + ("?" + urlencode(query) if query else "")


def test_a_client_is_named_and_linked_for_a_viewer_with_clients_access(owner_client, owner_account, owner):
    client = make_client(owner_account, owner, first_name="Marguerite", last_name="Okonkwo")
    before = AuditEvent.objects.filter(account=owner_account, action="phi.view").count()
    page = owner_client.get(log_url(owner_account)).content.decode()
    assert f"Marguerite Okonkwo (#{client.number})" in page
    assert f'href="/a/{owner_account.slug}/clients/{client.number}/"' in page
    # Naming a client is a read of PHI: logged, with which clients the page named.
    read = AuditEvent.objects.filter(account=owner_account, action="phi.view").order_by("-seq")
    assert read.count() == before + 1
    assert read[0].target_type == "activity_log" and read[0].detail["client_ids"] == [client.pk]


def test_no_access_on_clients_never_sees_a_clients_name(owner_account, owner):
    make_client(owner_account, owner, first_name="Marguerite", last_name="Okonkwo")
    viewer = new_member(owner_account, "auditor", full_levels() | {"clients": int(Level.NONE)})
    before = AuditEvent.objects.filter(action="phi.view").count()
    page = login_client(viewer).get(log_url(owner_account)).content.decode()
    assert "Okonkwo" not in page and "Marguerite" not in page
    assert "a client (hidden: needs Clients access)" in page
    assert AuditEvent.objects.filter(action="phi.view").count() == before  # nothing was shown


def test_my_activity_judges_each_account_by_its_own_clients_level(owner_account, other_account):
    worker = make_user("worker")
    add_member(owner_account, worker)
    add_member(other_account, worker, full_levels() | {"clients": int(Level.NONE)})
    make_client(owner_account, worker, first_name="Visible", last_name="Person")
    make_client(other_account, worker, first_name="Secret", last_name="Person")
    page = login_client(worker).get("/me/activity/").content.decode()
    assert "Visible Person" in page
    assert "Secret" not in page and "a client (hidden: needs Clients access)" in page
    logged = AuditEvent.objects.filter(action="phi.view", target_type="activity_log")
    assert {e.account_id for e in logged} == {owner_account.pk}


def test_the_action_filter_is_grouped_by_section(owner_client, owner_account):
    page = owner_client.get(log_url(owner_account)).content.decode()
    assert '<optgroup label="Insurance Payers">' in page and '<optgroup label="Clients">' in page
    assert "Added an insurance payer" in page


def test_the_username_filter_offers_past_usernames_and_matches_part_of_a_name(owner_client, owner_account):
    for name in ("practice-manager", "Practice-Lead", "front-desk"):
        record("account.update", account=owner_account, actor_username=name)
    response = owner_client.get(log_url(owner_account))
    assert '<option value="practice-manager">' in response.content.decode()
    assert '<option value="front-desk">' in response.content.decode()

    def names(**query):
        rows = owner_client.get(log_url(owner_account, **query)).context["page"].rows
        return {e.actor_username for e in rows}

    assert names(username="practice") == {"practice-manager", "Practice-Lead"}
    assert names(username="DESK") == {"front-desk"}
    assert names(username="front-desk") == {"front-desk"}
    assert names(username="nobody") == set()


def test_page_views_are_left_out_unless_asked_for(owner_client, owner_account, owner):
    record("page.view", account=owner_account, actor=owner, detail={"path": "/x/"})
    rows = owner_client.get(log_url(owner_account)).context["page"].rows
    assert rows and all(e.action != "page.view" for e in rows)
    rows = owner_client.get(log_url(owner_account, pages="on")).context["page"].rows
    assert any(e.action == "page.view" for e in rows)
    rows = owner_client.get(log_url(owner_account, action="page.view")).context["page"].rows
    assert rows and all(e.action == "page.view" for e in rows)


def test_the_number_of_matching_events(owner_client, owner_account):
    for _ in range(3):
        record("account.update", account=owner_account, actor_username="counted")
    page = owner_client.get(log_url(owner_account, username="counted")).content.decode()
    assert "3 events match" in page
    counted = EventFilter(username="counted")
    assert count_events(owner_account, counted, limit=2) == (2, True)
    assert count_events(owner_account, counted, limit=3) == (3, False)
    # Page views left out, nothing else: counted as the two ranges of actions around page.view.
    everything_but = account_events(owner_account).exclude(action="page.view").count()
    assert count_events(owner_account, EventFilter(page_views=False), limit=1000) == (everything_but, False)
    assert count_events(owner_account, EventFilter(page_views=False), limit=everything_but - 1) == (
        everything_but - 1, True)
    page = owner_client.get(log_url(owner_account, username="nobody-at-all")).content.decode()
    assert "0 events match" in page
