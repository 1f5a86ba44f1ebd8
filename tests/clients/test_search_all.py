"""Find a client in all my accounts: the rule picks the accounts, one query crosses them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.verify import verify_chain
from practicegate.core.sections import Level
from tests.clients.helpers import levels_with, make_client
from tests.helpers import add_member, login_client, make_account, make_user

pytestmark = pytest.mark.django_db
FIND = "/clients/find/"


def searches_in(account):
    return list(AuditEvent.objects.filter(account=account, action="phi.view", target_type="client_search_all"))


@pytest.fixture
def master(owner_account, other_account):
    """A master username: Full Access in Sunrise, View Only on Clients in Lakeside."""
    user = make_user("practice-manager")
    add_member(owner_account, user)
    add_member(other_account, user, levels_with(Level.VIEW))
    return user


def test_the_url_is_the_find_page():
    assert reverse("clients_all:find") == FIND


def test_it_finds_clients_in_every_account_it_may_read_grouped_by_account(owner_account, other_account, master):
    mine = make_client(owner_account, first_name="Zoë", last_name="Okafor")
    theirs = make_client(other_account, first_name="Zoe", last_name="Okafor-Lind")
    make_client(other_account, first_name="Amir", last_name="Haddad")
    response = login_client(master).get(FIND, {"q": "okafor"})
    assert response.status_code == 200
    hits = {h.account.slug: [c.pk for c in h.rows] for h in response.context["results"]}
    assert hits == {owner_account.slug: [mine.pk], other_account.slug: [theirs.pk]}
    html = response.content.decode()
    assert reverse("clients:detail", kwargs={"account": owner_account.slug, "number": mine.number}) in html
    assert reverse("clients:detail", kwargs={"account": other_account.slug, "number": theirs.number}) in html
    assert "Haddad" not in html
    assert html.index(other_account.name) < html.index(owner_account.name)  # "Lakeside" < "Sunrise"


def test_each_searched_account_logs_the_search_with_what_it_showed(owner_account, other_account, master):
    mine = make_client(owner_account, first_name="Zoë", last_name="Okafor")
    login_client(master).get(FIND, {"q": "Okafor zoe", "status": "active"})
    [event] = searches_in(owner_account)
    assert (event.actor_id, event.section, event.outcome) == (master.pk, "clients", "success")
    assert event.detail["shown"] == 1 and event.detail["client_ids"] == [mine.pk]
    assert event.detail["search"] == "name" and event.detail["words"] == 2
    assert event.detail["status"] == "active" and event.detail["accounts_searched"] == 2
    assert len(event.detail["terms_hmac"]) == 64 and "okafor" not in str(event.detail).lower()
    [other] = searches_in(other_account)
    assert other.detail["shown"] == 0 and other.detail["client_ids"] == []
    for chain in AuditChain.objects.filter(account__in=[owner_account, other_account]):
        assert verify_chain(chain) == []


def test_no_access_accounts_are_not_searched_nor_mentioned(owner_account, other_account):
    user = make_user("limited-manager")
    add_member(owner_account, user)
    add_member(other_account, user, levels_with(Level.NONE))
    make_client(other_account, first_name="Zoe", last_name="Okafor")
    response = login_client(user).get(FIND, {"q": "okafor"})
    assert [h.account for h in response.context["results"]] == [owner_account]
    assert other_account.name not in response.content.decode()
    assert searches_in(other_account) == []
    assert response.context["account_count"] == 1


def test_an_account_requiring_two_factor_is_skipped_without_a_verified_session(owner_account, other_account, master):
    other_account.require_two_factor = True
    other_account.save(update_fields=["require_two_factor"])
    make_client(other_account, first_name="Zoe", last_name="Okafor")
    http = login_client(master)
    response = http.get(FIND, {"q": "okafor"})
    assert [h.account for h in response.context["results"]] == [owner_account]
    assert other_account.name not in response.content.decode()
    assert searches_in(other_account) == []

    device = TOTPDevice.objects.create(user=master, name="phone", confirmed=True)
    session = http.session
    session["otp_device_id"] = device.persistent_id  # what django_otp.login() stores
    session.save()
    response = http.get(FIND, {"q": "okafor"})
    assert {h.account.slug for h in response.context["results"]} == {owner_account.slug, other_account.slug}
    assert len(searches_in(other_account)) == 1


def test_an_empty_search_searches_nothing_and_logs_nothing(owner_account, master):
    http = login_client(master)
    before = AuditEvent.objects.count()
    response = http.get(FIND)
    assert response.status_code == 200 and response.context["results"] is None
    assert "2 accounts" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_a_username_without_clients_anywhere_is_told_so(owner_account):
    user = make_user("codes-only")
    add_member(owner_account, user, levels_with(Level.NONE))
    response = login_client(user).get(FIND, {"q": "okafor"})
    assert response.status_code == 200
    assert "None of your accounts lets you see its clients." in response.content.decode()
    assert searches_in(owner_account) == []


def test_a_visitor_is_sent_to_log_in(db):
    from django.test import Client

    response = Client().get(FIND, {"q": "okafor"})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_more_matches_than_shown_link_to_the_accounts_list(owner_account, master, monkeypatch):
    from practicegate.clients import search_all

    monkeypatch.setattr(search_all, "PER_ACCOUNT", 2)
    made = [make_client(owner_account, first_name=f"Zoe{'x' * i}", last_name="Okafor") for i in range(3)]
    response = login_client(master).get(FIND, {"q": "okafor"})
    [hit] = [h for h in response.context["results"] if h.account == owner_account]
    assert hit.more and [c.pk for c in hit.rows] == [made[0].pk, made[1].pk]
    assert reverse("clients:list", kwargs={"account": owner_account.slug}) + "?q=okafor" in response.content.decode()


def test_each_account_says_how_many_matched_not_only_how_many_are_shown(owner_account, other_account, master,
                                                                        monkeypatch):
    """Finding 5: "30 clients found" counted the rows shown, though every account had more."""
    from practicegate.clients import search_all

    monkeypatch.setattr(search_all, "PER_ACCOUNT", 2)
    for i in range(3):
        make_client(owner_account, first_name=f"Zoe{'x' * i}", last_name="Okafor")
    make_client(other_account, first_name="Zoe", last_name="Okafor-Lind")
    response = login_client(master).get(FIND, {"q": "okafor"})
    hits = {h.account.slug: h for h in response.context["results"]}
    assert (hits[owner_account.slug].matched, hits[other_account.slug].matched) == (3, 1)
    html = response.content.decode()
    assert "2 of 3 shown" in html and "1 client found" in html
    assert "Clients found in 2 of 2 accounts searched." in html
    assert "clients found in 2 accounts" not in html


def test_the_count_stops_at_its_bound(owner_account, master, monkeypatch):
    from practicegate.clients import search_all

    monkeypatch.setattr(search_all, "PER_ACCOUNT", 1)
    monkeypatch.setattr(search_all, "COUNT_LIMIT", 3)
    for i in range(3):
        make_client(owner_account, first_name=f"Zoe{'x' * i}", last_name="Okafor")
    http = login_client(master)
    assert "1 of 3 shown" in http.get(FIND, {"q": "okafor"}).content.decode()
    make_client(owner_account, first_name="Zoeyyy", last_name="Okafor")
    response = http.get(FIND, {"q": "okafor"})
    [hit] = [h for h in response.context["results"] if h.account == owner_account]
    assert hit.matched == 4  # counted up to the bound and one more: "more than"
    assert "1 of more than 3 shown" in response.content.decode()


def test_other_search_kinds_cross_accounts_too(owner_account, other_account, master):
    theirs = make_client(other_account, birth_date="1985-02-03", mobile_phone="(503) 555-0199")
    http = login_client(master)
    for query in ("1985-02-03", "503 555 0199", f"#{theirs.number}"):
        response = http.get(FIND, {"q": query})
        found = {c.pk for h in response.context["results"] for c in h.rows if h.account == other_account}
        assert theirs.pk in found, query


def _joined(user, count: int, clients: int = 1) -> list:
    accounts = []
    for i in range(count):
        account = make_account(f"Practice {i:02d} of {user.username}", f"{user.username}-owner{i:02d}")
        add_member(account, user, levels_with(Level.VIEW))
        for n in range(clients):
            make_client(account, first_name="Zoe" + "y" * n, last_name="Okafor", middle_name="Ab"[: 1 + i % 2])
        accounts.append(account)
    return accounts


def _queries(http, query: str) -> int:
    http.get(FIND, {"q": query})  # warm the session's own writes (last seen, etc.)
    with CaptureQueriesContext(connection) as captured:
        response = http.get(FIND, {"q": query})
    assert response.status_code == 200
    return len(captured)


def test_the_queries_do_not_grow_with_the_number_of_accounts(db):
    one, fifty = make_user("one-account"), make_user("fifty-accounts")
    _joined(one, 1)
    accounts = _joined(fifty, 50)
    one_http, fifty_http = login_client(one), login_client(fifty)
    few = _queries(one_http, "okafor")
    many = _queries(fifty_http, "okafor")
    assert few == many, (few, many)
    assert few < 25, few
    response = fifty_http.get(FIND, {"q": "okafor"})
    assert sum(len(h.rows) for h in response.context["results"]) == 50
    assert all(len(searches_in(a)) == 3 for a in accounts)
    for chain in AuditChain.objects.filter(account__in=accounts[:3] + accounts[-3:]):
        assert verify_chain(chain) == []


def test_counting_what_matched_does_not_grow_with_the_number_of_accounts(db, monkeypatch):
    from practicegate.clients import search_all

    monkeypatch.setattr(search_all, "PER_ACCOUNT", 1)  # every account has more than is shown
    one, twenty = make_user("one-account"), make_user("twenty-accounts")
    _joined(one, 1, clients=2)
    _joined(twenty, 20, clients=2)
    few, many = _queries(login_client(one), "okafor"), _queries(login_client(twenty), "okafor")
    assert few == many, (few, many)
    results = login_client(twenty).get(FIND, {"q": "okafor"}).context["results"]
    assert [(len(h.rows), h.more, h.matched) for h in results] == [(1, True, 2)] * 20
