"""The provider dropdown at scale, and switching between joined accounts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practicegate.accounts.models import Account, Membership
from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import url
from tests.helpers import add_member, login_client, make_user

pytestmark = pytest.mark.django_db


def join_many(user, owner, count: int) -> list[Account]:
    accounts = Account.objects.bulk_create(
        Account(slug=f"provider-{i:03d}", name=f"Provider {i:03d}", email="p@example.org", owner=owner)
        for i in range(count)
    )
    accounts = list(Account.objects.filter(slug__startswith="provider-"))
    Membership.objects.bulk_create(Membership(user=user, account=a, levels=full_levels()) for a in accounts)
    return accounts


def queries_for(client, path: str) -> tuple[int, object]:
    client.get(path)  # warm up: session clocks, first-time chain rows
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("page", ["index", "privileges", "home"])
def test_query_count_is_the_same_for_1_and_200_accounts(owner_account, owner, page):
    few, many = make_user("few"), make_user("many")
    add_member(owner_account, few)
    add_member(owner_account, many)
    join_many(many, owner, 199)
    path = f"/a/{owner_account.slug}/" if page == "home" else url(owner_account, page)
    few_count, _ = queries_for(login_client(few), path)
    many_count, response = queries_for(login_client(many), path)
    assert few_count == many_count
    assert len(response.context["my_accounts"]) == 200
    dropdown = response.content.decode().split('id="provider-dropdown"')[1].split("</details>")[0]
    assert dropdown.count("<li>") == 200 and "Provider 198" in dropdown
    assert 'class="switcher-filter"' in dropdown  # searchable when long


def test_the_dropdown_is_one_query(owner_account, owner):
    many = make_user("many")
    add_member(owner_account, many)
    join_many(many, owner, 199)
    client = login_client(many)
    client.get(f"/a/{owner_account.slug}/")
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/a/{owner_account.slug}/")
    # One query reads the username's memberships with their accounts, every one (no row limit):
    # it answers the access rule for the URL's account and fills the dropdown.
    listing = [q["sql"] for q in ctx.captured_queries
               if "FROM accounts_membership m JOIN accounts_account a" in q["sql"]]
    assert len(listing) == 1 and "LIMIT" not in listing[0], listing


def test_a_short_list_has_no_search_box(owner_client, owner_account):
    html = owner_client.get(f"/a/{owner_account.slug}/").content.decode()
    assert 'class="switcher-filter"' not in html


def test_switch_lands_on_the_same_access_page_and_logs_in_the_target(owner_account, other_account):
    user = make_user("manager")
    add_member(owner_account, user)
    add_member(other_account, user)
    client = login_client(user)
    page = client.get(url(owner_account, "privileges"))
    href = [line for line in page.content.decode().split('href="') if line.startswith("/switch/")]
    target_link = next(h.split('"')[0] for h in href if f"to={other_account.slug}" in h)
    response = client.get(target_link.replace("&amp;", "&"))
    assert response.status_code == 302 and response["Location"] == url(other_account, "privileges")
    event = AuditEvent.objects.get(action="account.switch")
    assert event.account_id == other_account.id and event.actor_id == user.id


def test_switch_from_an_object_page_goes_to_the_section_index(owner_account, other_account):
    user = make_user("manager")
    add_member(owner_account, user)
    add_member(other_account, user)
    m = Membership.objects.get(user=user, account=owner_account)
    response = login_client(user).get("/switch/", {"to": other_account.slug,
                                                   "from": url(owner_account, "privileges-edit", membership_id=m.pk)})
    assert response["Location"] == url(other_account)


def test_switch_goes_home_when_the_section_is_closed_in_the_target(owner_account, other_account):
    user = make_user("manager")
    add_member(owner_account, user)
    narrow = full_levels()
    narrow["account_access"] = int(Level.NONE)
    add_member(other_account, user, narrow)
    response = login_client(user).get("/switch/", {"to": other_account.slug, "from": url(owner_account, "privileges")})
    assert response["Location"] == f"/a/{other_account.slug}/"


def test_switch_from_a_path_that_is_not_a_page_goes_home(owner_account, other_account):
    user = make_user("manager")
    add_member(owner_account, user)
    add_member(other_account, user)
    client = login_client(user)
    for origin in ("/a/x/access/privileges/%00/", "/a/" + "x" * 600, "/switch/", "/login/"):
        response = client.get("/switch/", {"to": other_account.slug, "from": origin})
        assert response.status_code == 302 and response["Location"] == f"/a/{other_account.slug}/"


def test_switch_from_a_full_access_form_page_to_view_only_goes_to_the_section_index(owner_account, other_account):
    user = make_user("manager")
    add_member(owner_account, user)
    narrow = full_levels()
    narrow["account_access"] = int(Level.VIEW)
    add_member(other_account, user, narrow)
    client = login_client(user)
    response = client.get("/switch/", {"to": other_account.slug, "from": url(owner_account, "allow")})
    assert response["Location"] == url(other_account)
    assert client.get(response["Location"]).status_code == 200


def test_switch_from_an_unnamed_account_route_does_not_fail(owner_account, other_account):
    from django.http import HttpResponse
    from django.test import override_settings
    from django.urls import include, path

    from practicegate.core.decorators import account_view
    from practicegate.urls import urlpatterns as real

    @account_view("reports")
    def unnamed(request, account):
        return HttpResponse("ok")

    module = type("urls", (), {"urlpatterns": [path("a/<slug:account>/unnamed/", unnamed), *real],
                               "include": include})
    user = make_user("manager")
    add_member(owner_account, user)
    add_member(other_account, user)
    with override_settings(ROOT_URLCONF=module):
        response = login_client(user).get("/switch/", {"to": other_account.slug,
                                                       "from": f"/a/{owner_account.slug}/unnamed/"})
    assert response.status_code == 302
