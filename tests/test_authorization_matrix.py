"""The authorization matrix, generated from the URL configuration.

Every account-scoped route x method x level (No Access, View Only, Full Access on the
route's declared section) x (member, non-member) gets the answer the access rule
promises: 404 for a non-member, 403 and an `access.denied` event below the level the
view needs, and otherwise an answer that is not the access rule's refusal. Routes added
by any feature are covered the moment they are in the URL configuration; a route that
declares no section fails here.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from practicegate.accounts.models import Membership
from practicegate.audit.models import AuditEvent
from practicegate.core.middleware import SAFE_METHODS, needed_level
from practicegate.core.sections import BY_KEY, MEMBERS, SECTION_KEYS, Level
from tests.conftest import add_member, login_client, make_account, make_user

ACCOUNT_KWARG = "<slug:account>"
SAMPLE = {"int": "999999", "slug": "zz-no-such", "str": "zz-no-such", "path": "zz/no-such",
          "uuid": str(uuid.UUID(int=0))}
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or "", entry.callback


def account_routes(patterns=None):
    return [r for r in walk(patterns if patterns is not None else get_resolver().url_patterns)
            if ACCOUNT_KWARG in r[0]]


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


def concrete_path(route: str, slug: str) -> tuple[str, bool]:
    """The route with the account's slug and non-existent ids; whether it had other parameters."""
    extra = False

    def fill(match):
        nonlocal extra
        converter, name = match.group(1) or "str", match.group(2)
        if name == "account":
            return slug
        extra = True
        return SAMPLE.get(converter, "zz-no-such")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route), extra


ROUTES = account_routes()
# Changes only the account's owner may make, whatever the level (a reviewed list): a member
# with the level gets a 403 that names the owner, logged as access.denied, reason owner_only.
OWNER_ONLY = {("a/<slug:account>/settings/two-factor/", "POST")}


def test_the_owner_only_list_names_existing_routes():
    assert {route for route, _ in OWNER_ONLY} <= {route for route, _, _ in ROUTES}


def test_the_matrix_sees_the_account_routes():
    names = {name for _, name, _ in ROUTES}
    assert {"account-home", "index", "privileges", "privileges-edit"} <= names
    assert undeclared(ROUTES) == [], "account routes without a declared section"


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
    path, has_ids = concrete_path(route, account.slug)
    member_client, stranger_client = login_client(member), login_client(stranger)

    def denied_count():
        return AuditEvent.objects.filter(account=account, action="access.denied").count()

    for method in methods_for(view):
        # Non-member: 404, nothing about this account is written.
        before = AuditEvent.objects.filter(account=account).count()
        response = _request(stranger_client, method, path)
        assert response.status_code == 404, f"non-member {method} {path}: {response.status_code}"
        assert AuditEvent.objects.filter(account=account).count() == before

        for level in (Level.NONE, Level.VIEW, Level.FULL):
            # Reset the member: earlier requests (a Delete, a Leave) may have changed it.
            member.is_active = True
            member.save(update_fields=["is_active"])
            Membership.objects.update_or_create(pk=membership.pk, defaults={
                "user": member, "account": account, "levels": _levels(section, level)})
            needed = Level.NONE if section == MEMBERS else needed_level(view, method)
            before = denied_count()
            response = _request(member_client, method, path)
            where = f"{method} {path} at {level.label} (needs {needed.label})"
            if level >= needed and (route, method) in OWNER_ONLY:
                assert response.status_code == 403, f"{where} (owner only) answered {response.status_code}"
                event = AuditEvent.objects.filter(account=account, action="access.denied").last()
                assert denied_count() == before + 1 and event.detail["reason"] == "owner_only"
            elif level >= needed:
                assert response.status_code != 403, f"refused {where}"
                assert denied_count() == before, f"access.denied written for {where}"
                if not has_ids:
                    assert response.status_code != 404, f"404 for {where}"
            else:
                assert response.status_code == 403, f"{where} answered {response.status_code}"
                event = AuditEvent.objects.filter(account=account, action="access.denied").last()
                assert denied_count() == before + 1 and event.actor_id == member.id
                assert event.section == section and event.detail["method"] == method


def test_safe_methods_are_the_middlewares():
    assert SAFE_METHODS >= {"GET", "HEAD", "OPTIONS"}
