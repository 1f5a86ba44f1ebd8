"""The terms of each logged client search: kept beside its event, shown only with Clients access."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.services import record
from practicegate.audit.verify import verify_chain
from practicegate.clients.log_lines import HIDDEN, NOT_KEPT_HERE
from practicegate.clients.models import ClientSearch, SearchKind
from practicegate.clients.searchlog import keep_terms, search_terms_digest
from practicegate.clients.selectors import (
    searches_not_matching_the_log,
    searches_without_their_terms,
)
from practicegate.core.scoping import account_scope
from practicegate.core.sections import Level
from tests.clients.helpers import levels_with, make_client, url
from tests.helpers import add_member, login_client, make_account, make_user, rows_of

pytestmark = pytest.mark.django_db
FIND = "/clients/find/"


def log_url(account) -> str:
    return reverse("audit:activity-log", kwargs={"account": account.slug})


def kept(account) -> list[ClientSearch]:
    return list(rows_of(ClientSearch, account).select_related("event").order_by("pk"))


def a_search(account, terms: str, kind=SearchKind.LIST) -> ClientSearch:
    """A search event and its terms, as the list page writes them (without the page around it)."""
    with account_scope(account):
        event = record("phi.view", account=account, actor=account.owner, section="clients",
                       target_type="client_list", detail={"shown": 0, "search": "name", "words": 1,
                                                          "terms_hmac": search_terms_digest(terms)})
        [row] = keep_terms([event], terms, kind=kind)
        return row


def test_the_list_keeps_the_terms_as_typed_after_nfc_beside_its_event(owner_account, owner, owner_http):
    make_client(owner_account, owner)
    owner_http.get(url(owner_account, "list"), {"q": "  Zoe\u0308   O'Brien "})  # a decomposed ë
    [row] = kept(owner_account)
    assert (row.terms, row.kind) == ("Zoë O'Brien", SearchKind.LIST)
    event = row.event
    assert (event.account_id, event.action, event.target_type) == (owner_account.pk, "phi.view", "client_list")
    assert event.detail["terms_hmac"] == search_terms_digest("Zoë O'Brien")
    assert "brien" not in str(event.detail).lower()  # the log itself still holds no terms
    [chain] = AuditChain.objects.filter(account=owner_account)
    assert verify_chain(chain) == []


def test_a_list_without_terms_keeps_nothing(owner_account, owner_http):
    owner_http.get(url(owner_account, "list"))
    owner_http.get(url(owner_account, "list"), {"status": "all"})
    assert kept(owner_account) == []


def test_find_a_client_keeps_the_terms_only_where_it_showed_a_client(owner_account, other_account):
    closed = make_account("Hillside Care", "hillside")
    user = make_user("practice-manager")
    add_member(owner_account, user)
    add_member(other_account, user, levels_with(Level.VIEW))
    add_member(closed, user, levels_with(Level.NONE))
    make_client(owner_account, first_name="Zoë", last_name="Okafor")
    make_client(closed, first_name="Zoe", last_name="Okafor")
    login_client(user).get(FIND, {"q": "Okafor  zoë"})
    [row] = kept(owner_account)
    assert (row.terms, row.kind) == ("Okafor zoë", SearchKind.ALL_ACCOUNTS)
    assert (row.event.account_id, row.event.target_type) == (owner_account.pk, "client_search_all")
    assert row.event.detail["terms_hmac"] == search_terms_digest("okafor zoe")
    assert row.event.detail["terms_kept"] is True
    # Lakeside was searched but showed nobody: its log has the digest, never the terms.
    assert kept(other_account) == []
    [event] = AuditEvent.objects.filter(account=other_account, action="phi.view", target_type="client_search_all")
    assert event.detail["terms_hmac"] == search_terms_digest("okafor zoe")
    assert event.detail["terms_kept"] is False and event.detail["shown"] == 0
    assert kept(closed) == []
    assert not AuditEvent.objects.filter(account=closed, action="phi.view").exists()


def test_another_accounts_log_does_not_show_a_name_it_does_not_hold(owner_account, other_account):
    """Finding 3: Lakeside's Activity Log showed "search terms: Anna Adams" (a Sunrise client)."""
    user = make_user("practice-manager")
    add_member(owner_account, user)
    add_member(other_account, user)
    make_client(owner_account, first_name="Anna", last_name="Adams")
    login_client(user).get(FIND, {"q": "Anna Adams"})
    auditor = make_user("lakeside-auditor")
    add_member(other_account, auditor, levels_with(Level.VIEW))  # Reports and View Only on Clients
    html = login_client(auditor).get(log_url(other_account)).content.decode()
    assert "Adams" not in html
    assert f"search terms:</span> {NOT_KEPT_HERE}" in html
    sunrise = login_client(user).get(log_url(owner_account)).content.decode()
    assert "search terms:</span> Anna Adams" in sunrise


def test_find_a_client_writes_its_terms_in_one_query_for_fifty_accounts(db):
    user = make_user("fifty-accounts")
    accounts = []
    for i in range(50):
        account = make_account(f"Practice {i:02d}", f"practice-owner{i:02d}")
        add_member(account, user, levels_with(Level.VIEW))
        if i % 2 == 0:
            make_client(account, first_name="Zoe", last_name="Okafor")
        accounts.append(account)
    http = login_client(user)
    http.get(FIND, {"q": "okafor"})
    with CaptureQueriesContext(connection) as captured:
        http.get(FIND, {"q": "okafor"})
    table = ClientSearch._meta.db_table
    inserts = [q["sql"] for q in captured if q["sql"].startswith("INSERT") and table in q["sql"]]
    assert len(inserts) == 1, inserts
    assert all(len(kept(a)) == (2 if i % 2 == 0 else 0) for i, a in enumerate(accounts))


@pytest.fixture
def searched(owner_account, owner, owner_http):
    make_client(owner_account, owner, first_name="José", last_name="Müller")
    owner_http.get(url(owner_account, "list"), {"q": "Müller"})
    return owner_account


def test_the_activity_log_shows_the_terms_to_a_viewer_with_clients(searched):
    viewer = make_user("auditor")
    add_member(searched, viewer, levels_with(Level.VIEW))  # Reports and View Only on Clients
    html = login_client(viewer).get(log_url(searched)).content.decode()
    assert "search terms:</span> Müller" in html


def test_the_activity_log_hides_the_terms_from_a_reports_only_viewer(searched):
    viewer = make_user("reports-only")
    add_member(searched, viewer, levels_with(Level.NONE))  # Reports (Full) without Clients
    response = login_client(viewer).get(log_url(searched))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"search terms:</span> {HIDDEN}" in html
    assert "Müller" not in html and "ller" not in html


def test_clients_access_in_another_account_does_not_show_this_accounts_terms(searched, other_account):
    viewer = make_user("half-auditor")
    add_member(searched, viewer, levels_with(Level.NONE))
    add_member(other_account, viewer, levels_with(Level.FULL))
    html = login_client(viewer).get(log_url(searched)).content.decode()
    assert "Müller" not in html and HIDDEN in html


def _log_queries(http, account) -> tuple[int, str]:
    http.get(log_url(account))  # warm the session's own writes
    with CaptureQueriesContext(connection) as captured:
        response = http.get(log_url(account))
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("clients_level", [Level.VIEW, Level.NONE])
def test_the_activity_log_runs_the_same_queries_for_one_or_fifty_searches(db, clients_level):
    one, fifty = make_account("One Search", "one-search"), make_account("Fifty Searches", "fifty-searches")
    a_search(one, "Okafor 0")
    for i in range(50):
        a_search(fifty, f"Okafor {i}")
    counts = []
    for account in (one, fifty):
        viewer = make_user(f"viewer-{account.slug}")
        add_member(account, viewer, levels_with(clients_level))
        count, html = _log_queries(login_client(viewer), account)
        counts.append(count)
        shown = html.count("search terms:</span> Okafor")
        hidden = html.count(f"search terms:</span> {HIDDEN}")
        if clients_level >= Level.VIEW:
            assert shown >= (1 if account == one else 40) and hidden == 0  # page views fill the rest
        else:
            assert hidden >= (1 if account == one else 40) and shown == 0
    # Never a query per row: fifty searches cost no more than one (the page of one search also
    # names the account's sign-up target, one query per kind of target on the page).
    assert counts[1] <= counts[0], counts


def test_untouched_terms_match_the_log(searched, owner_account, other_account, owner):
    make_client(other_account)
    user = make_user("manager")
    add_member(owner_account, user)
    add_member(other_account, user)
    login_client(user).get(FIND, {"q": "müller"})
    assert kept(other_account) == []  # other_account showed nobody: its event keeps no terms
    for account in (owner_account, other_account):
        with account_scope(account):
            assert searches_not_matching_the_log(account) == []
            assert searches_without_their_terms(account) == []


def test_terms_planted_beside_a_search_that_kept_none_are_found(owner_account, other_account):
    user = make_user("manager")
    add_member(owner_account, user)
    add_member(other_account, user)
    make_client(owner_account, first_name="José", last_name="Müller")
    login_client(user).get(FIND, {"q": "müller"})
    [event] = AuditEvent.objects.filter(account=other_account, target_type="client_search_all")
    with account_scope(other_account):
        [row] = keep_terms([event], "müller", kind=SearchKind.ALL_ACCOUNTS)  # the digest matches
        assert searches_not_matching_the_log(other_account) == [row.pk]


def test_edited_terms_are_found(searched):
    [row] = kept(searched)
    rows_of(ClientSearch, searched).filter(pk=row.pk).update(terms="Smith")
    with account_scope(searched):
        assert searches_not_matching_the_log(searched) == [row.pk]


def test_terms_moved_to_another_event_or_kind_are_found(searched):
    other = a_search(searched, "Smith")
    [row] = [r for r in kept(searched) if r.pk != other.pk]
    moved_to = AuditEvent.objects.filter(account=searched).exclude(pk__in=[row.event_id, other.event_id]).first()
    rows_of(ClientSearch, searched).filter(pk=other.pk).update(event=moved_to)
    rows_of(ClientSearch, searched).filter(pk=row.pk).update(kind=SearchKind.ALL_ACCOUNTS)
    with account_scope(searched):
        assert searches_not_matching_the_log(searched) == sorted([row.pk, other.pk])


def test_deleted_terms_are_found(searched):
    [row] = kept(searched)
    rows_of(ClientSearch, searched).filter(pk=row.pk).delete()
    with account_scope(searched):
        assert searches_without_their_terms(searched) == [row.event.seq]
        assert searches_not_matching_the_log(searched) == []
