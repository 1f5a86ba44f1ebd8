"""The provider dropdown never sends anyone to a route that refuses GET (a Copy Now result, a join)."""

from __future__ import annotations

import pytest
from django.urls import resolve

from practicegate.accounts.account_views import accepts_get
from tests.helpers import add_member, login_client, make_user
from tests.walk import account_routes, path_for

pytestmark = pytest.mark.django_db


def url_for(route: str, slug: str) -> str:
    return path_for(route, slug, {})

SIMPLE = [route for route, _, _ in account_routes() if route.count("<") == 1]  # routes that take only the account


@pytest.fixture
def manager(owner_account, other_account):
    user = make_user("manager")
    add_member(owner_account, user)
    add_member(other_account, user)
    return user


def test_every_account_route_declares_whether_it_answers_get(owner_account):
    answering = [r for r in SIMPLE if accepts_get(resolve(url_for(r, owner_account.slug)).func)]
    refusing = [r for r in SIMPLE if r not in answering]
    assert answering and refusing  # both kinds exist, so the check below means something
    client = login_client(owner_account.owner)
    for route in refusing:
        assert client.get(url_for(route, owner_account.slug)).status_code == 405, route
    for route in answering:
        assert client.get(url_for(route, owner_account.slug)).status_code != 405, route


@pytest.mark.parametrize("route", SIMPLE)
def test_switching_from_any_page_lands_on_a_page_that_answers_get(manager, owner_account, other_account,
                                                                  route):
    client = login_client(manager)
    origin = url_for(route, owner_account.slug)
    response = client.get("/switch/", {"to": other_account.slug, "from": origin})
    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)  # a section's index may redirect to its list
    assert landing.status_code == 200, (origin, response["Location"], landing.redirect_chain)
    assert accepts_get(resolve(response["Location"]).func)


def test_switching_from_the_copy_now_route_opens_the_copy_start_page(manager, owner_account, other_account):
    origin = f"/a/{owner_account.slug}/access/copy/run/"
    response = login_client(manager).get("/switch/", {"to": other_account.slug, "from": origin})
    assert response["Location"] == f"/a/{other_account.slug}/access/"


def test_class_based_views_are_judged_by_their_get_handler(owner_account):
    client = login_client(owner_account.owner)
    post_only = f"/a/{owner_account.slug}/access/copy/run/"
    assert not accepts_get(resolve(post_only).func) and client.get(post_only).status_code == 405
    assert accepts_get(resolve("/login/").func) and client.get("/login/").status_code != 405
