"""My Activity: a username's own events across all its accounts, and nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practicegate.audit.services import record
from tests.helpers import add_member, login_client

pytestmark = pytest.mark.django_db
URL = "/me/activity/"


def test_url_name():
    assert reverse("my_activity:index") == URL


def test_shows_own_events_in_every_account_only(owner_account, other_account, member):
    add_member(other_account, member)
    record("account.update", account=owner_account, actor=member, section="settings")
    record("account.update", account=other_account, actor=member, section="settings")
    record("account.update", account=owner_account, actor=owner_account.owner, section="settings")
    response = login_client(member).get(URL)
    assert response.status_code == 200
    events = response.context["page"].rows
    assert {e.actor_id for e in events} == {member.pk}
    assert {e.account_id for e in events if e.action == "account.update"} == {owner_account.pk, other_account.pk}
    assert other_account.name.encode() in response.content


def test_pages_by_id(owner_account, member):
    for i in range(60):
        record("page.view", account=owner_account, actor=member, detail={"i": i})
    client = login_client(member)
    first = client.get(URL).context["page"]
    second = client.get(f"{URL}?before={first.before}").context["page"]
    ids = [e.id for e in first.rows] + [e.id for e in second.rows]
    assert len(ids) == len(set(ids)) >= 60
    assert ids == sorted(ids, reverse=True)
    assert second.after == second.rows[0].id


@pytest.mark.parametrize("query", ["before=x", "after=-3", "before=1&after=2"])
def test_bad_cursor_gets_a_message(member, query):
    response = login_client(member).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert b"Page link" in response.content or b"either an older-page" in response.content


def test_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_top_bar_links_to_it(owner_client, owner_account):
    response = owner_client.get(reverse("core:account-home", kwargs={"account": owner_account.slug}))
    assert f'href="{URL}"'.encode() in response.content
