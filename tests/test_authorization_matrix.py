"""The authorization matrix, generated from the URL configuration.

Every account-scoped route x method x level (No Access, View Only, Full Access on the
route's declared section) x (member, non-member) gets the answer the access rule
promises: 404 for a non-member, 403 and an `access.denied` event below the level the
view needs, and otherwise an answer that is neither the access rule's refusal nor a 404.
Ids in a route are real rows (tests/walk.py): the account's own, fresh for each request, and
then another account's (one the member owns), which must answer 404 and stay unchanged.
Routes added by any feature are covered the moment they are in the URL configuration; a
route that declares no section, or takes an id the walk does not know, fails here.
"""

from __future__ import annotations

import pytest

from practicegate.accounts.models import Membership
from practicegate.audit.models import AuditEvent
from practicegate.core.decorators import SAFE_METHODS, needed_level
from practicegate.core.sections import BY_KEY, MEMBERS, SECTION_KEYS, Level
from tests.helpers import add_member, login_client, make_account, make_user
from tests.walk import (
    account_routes,
    foreign_404_gap,
    id_kwargs,
    make_rows,
    path_for,
    states,
    unknown_kwargs,
)

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def undeclared(routes) -> list[str]:
    """Account routes whose view declares no (known) section: each one is a failure."""
    return [route for route, _, view in routes
            if getattr(view, "pg_section", None) not in (MEMBERS, *BY_KEY)]


def declared_methods(view) -> set[str]:
    """The methods a view accepts, read from `require_http_methods` or a class view; empty if unknown."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names} & set(ALL_METHODS)
    found: set[str] = set()
    func = view
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, (list, tuple, set)) and value and all(
                    isinstance(v, str) and v.isupper() for v in value):
                found |= set(value)
        func = getattr(func, "__wrapped__", None)
    return found & set(ALL_METHODS)


def methods_for(view) -> list[str]:
    # GET and POST always (a forged POST to a GET page must still be refused), plus any other declared.
    return [m for m in ALL_METHODS if m in {"GET", "POST"} | declared_methods(view)]


ROUTES = account_routes()
# Changes only the account's owner may make, whatever the level (a reviewed list): a member
# with the level gets a 403 that names the owner, logged as access.denied, reason owner_only.
OWNER_ONLY = {("a/<slug:account>/settings/two-factor/", "POST"),
              ("a/<slug:account>/access/emergency/settings/", "POST")}  # emergency access: the owner's switch


def test_the_owner_only_list_names_existing_routes():
    assert {route for route, _ in OWNER_ONLY} <= {route for route, _, _ in ROUTES}


def test_the_matrix_sees_the_account_routes():
    names = {name for _, name, _ in ROUTES}
    assert {"account-home", "index", "privileges", "privileges-edit"} <= names
    assert undeclared(ROUTES) == [], "account routes without a declared section"
    assert unknown_kwargs(ROUTES) == [], "account routes whose ids the walk cannot fill"


def test_client_pages_are_addressed_by_client_number():
    """Every route of one client names it by its number in the account (`<int:number>`), never
    by database id: the walks below then fill it with the client's number, and another
    account's client under this account's address must be a 404 (tests/walk.py WALK_NUMBERS)."""
    client_routes = [route for route, _, _ in ROUTES if route.startswith("a/<slug:account>/clients/<")]
    assert len(client_routes) >= 10
    assert all(route.startswith("a/<slug:account>/clients/<int:number>/") for route in client_routes), client_routes
    assert path_for(client_routes[0], "x", {"number": type("Row", (), {"number": 12, "pk": 781})()}) == "/a/x/clients/12/"


def test_a_route_with_an_unknown_id_fails_the_matrix():
    from django.http import HttpResponse
    from django.urls import path

    def client_edit(request, account, client_id):
        return HttpResponse("")

    client_edit.pg_section = "clients"  # a section still to come

    routes = account_routes([path("a/<slug:account>/clients/<int:client_id>/", client_edit)])
    [gap] = unknown_kwargs(routes)
    assert "<client_id>" in gap and "ID_KINDS" in gap


def test_a_route_without_a_section_fails_the_matrix():
    from django.http import HttpResponse
    from django.urls import path

    def forgotten(request, account):
        return HttpResponse("")

    routes = account_routes([path("a/<slug:account>/forgotten/", forgotten)])
    assert undeclared(routes) == ["a/<slug:account>/forgotten/"]


def test_method_discovery_reads_require_http_methods():
    from practicegate.access import views

    assert declared_methods(views.privileges) == {"GET"}
    assert declared_methods(views.allow) == {"GET", "POST"}
    assert methods_for(views.join) == ["GET", "POST"]


def _request(client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    if method == "POST":
        return client.post(path, {})
    return client.generic(method, path, b"", content_type="application/x-www-form-urlencoded")


def _levels(section: str, level: Level) -> dict[str, int]:
    if section == MEMBERS:
        return {key: int(level) for key in SECTION_KEYS}
    levels = {key: int(Level.FULL) for key in SECTION_KEYS}
    levels[section] = int(level)
    return levels


@pytest.mark.django_db
@pytest.mark.parametrize("route, name, view", ROUTES, ids=[f"{n or r}" for r, n, _ in ROUTES])
def test_route_answers_by_membership_and_level(route, name, view):
    section = getattr(view, "pg_section", None)
    assert section in (MEMBERS, *BY_KEY), f"{route} declares no section: use @account_view"

    account = make_account("Matrix Practice", "matrix-owner")
    home = make_account("Member Home", "matrix-member")  # the member always has an account to go back to
    member = home.owner
    membership = add_member(account, member)
    stranger = make_user("matrix-stranger")
    add_member(home, stranger)
    member_client, stranger_client = login_client(member), login_client(stranger)

    def own_path():
        """The route with fresh rows of the account: an earlier request may have deleted its rows."""
        return path_for(route, account.slug, make_rows(route, section, account))

    def denied_count():
        return AuditEvent.objects.filter(account=account, action="access.denied").count()

    def set_level(level):
        # Reset the member: earlier requests (a Delete, a Leave) may have changed it.
        member.is_active = True
        member.save(update_fields=["is_active"])
        Membership.objects.update_or_create(pk=membership.pk, defaults={
            "user": member, "account": account, "levels": _levels(section, level)})

    full_answer = {}
    for method in methods_for(view):
        # Non-member: 404, nothing about this account is written.
        path = own_path()  # its rows are made first: making a client writes that client's event
        before = AuditEvent.objects.filter(account=account).count()
        response = _request(stranger_client, method, path)
        assert response.status_code == 404, f"non-member {method} {path}: {response.status_code}"
        assert AuditEvent.objects.filter(account=account).count() == before

        for level in (Level.NONE, Level.VIEW, Level.FULL):
            set_level(level)
            needed = Level.NONE if section == MEMBERS else needed_level(view, method)
            before = denied_count()
            path = own_path()
            response = _request(member_client, method, path)
            where = f"{method} {path} at {level.label} (needs {needed.label})"
            if level >= needed and (route, method) in OWNER_ONLY:
                assert response.status_code == 403, f"{where} (owner only) answered {response.status_code}"
                event = AuditEvent.objects.filter(account=account, action="access.denied").last()
                assert denied_count() == before + 1 and event.detail["reason"] == "owner_only"
            elif level >= needed:
                assert response.status_code != 403, f"refused {where}"
                assert denied_count() == before, f"access.denied written for {where}"
                assert response.status_code != 404, f"404 for {where} with the account's own rows"
            else:
                assert response.status_code == 403, f"{where} answered {response.status_code}"
                event = AuditEvent.objects.filter(account=account, action="access.denied").last()
                assert denied_count() == before + 1 and event.actor_id == member.id
                assert event.section == section and event.detail["method"] == method
            if level is Level.FULL:
                full_answer[method] = response.status_code

    # Another account's rows (of an account the member owns) through this account's URL.
    for method in methods_for(view) if id_kwargs(route) else ():
        set_level(Level.FULL)
        foreign = make_rows(route, section, home)
        path, before = path_for(route, account.slug, foreign), states(foreign)
        mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = _request(member_client, method, path)
        # A method the view refuses whatever the row (405) may stay that; anything else is 404.
        expected = 405 if full_answer.get(method) == 405 else 404
        assert response.status_code == expected, f"another account's row: {method} {path} answered " \
                                                 f"{response.status_code}"
        assert states(foreign) == before, f"another account's row changed by {method} {path}"
        if expected == 404:
            gap = foreign_404_gap(list(AuditEvent.objects.filter(id__gt=mark)), account=account,
                                  actor=member, method=method, path=path)
            assert gap is None, gap


def test_safe_methods_are_the_middlewares():
    assert SAFE_METHODS >= {"GET", "HEAD", "OPTIONS"}


# --- Billing (issue 27, billpages): the billing pages are in the walk --------------------------

def test_the_matrix_sees_the_billing_pages():
    names = {name for _, name, _ in ROUTES}
    assert {"home", "settings", "clearinghouses", "clearinghouse", "claims", "claim", "claim-edit", "build"} <= names
