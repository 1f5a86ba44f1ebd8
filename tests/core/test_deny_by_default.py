"""Walk the URL configuration: no account page without a section, no open page by accident."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from practicegate.core.sections import BY_KEY, MEMBERS
from tests.walk import every_route

ACCOUNT_PREFIX = "a/<slug:account>/"
# Pages a visitor must be able to open: everything else needs a signed-in username.
EXPECTED_PUBLIC = {
    "home", "login", "logout", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete",
    "twofactor:login",  # the code step of log-in, after a correct password
    "health",  # the load balancer's probe: database and migrations, no data
    # E-mail and password recovery (issue 26): the link mailed to a new address, opened on any device
    "email_confirm",
    # Passkeys: a challenge for the browser, and a passkey's answer at log-in (second step, or alone)
    "twofactor:passkey_options", "twofactor:login_passkey", "login_passkey",
}


def sample_path(route: str) -> str:
    """A concrete path for a route, with unlikely values for its parameters."""
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "999999" if m.group(1) == "int" else "zz-sample", route)
    return "/" + path


ROUTES = list(every_route())


def test_the_walk_sees_account_and_other_routes():
    assert any(route.startswith(ACCOUNT_PREFIX) for route, _, _ in ROUTES)
    assert any(name == "login" for _, name, _ in ROUTES)


@pytest.mark.parametrize("route, name, view", [r for r in ROUTES if r[0].startswith(ACCOUNT_PREFIX)],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_every_account_route_declares_a_known_section(route, name, view):
    section = getattr(view, "pg_section", None)
    assert section is not None, f"{name} ({route}) declares no section: use @account_view"
    assert section == MEMBERS or section in BY_KEY


@pytest.mark.parametrize("route, name, view", [r for r in ROUTES if not r[0].startswith(ACCOUNT_PREFIX)],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_no_page_is_open_to_visitors_unless_declared_public(db, route, name, view):
    is_public = getattr(view, "pg_public", False)
    if is_public:
        assert name in EXPECTED_PUBLIC, f"{name} is public but not on the reviewed list"
        return
    for method in ("get", "post"):
        response = getattr(Client(), method)(sample_path(route))
        assert response.status_code == 302, f"{method.upper()} {route} answered {response.status_code}"
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("route, name, view", [r for r in ROUTES if r[0].startswith(ACCOUNT_PREFIX)],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_every_account_route_sends_visitors_to_log_in(db, route, name, view):
    for method in ("get", "post"):
        response = getattr(Client(), method)(sample_path(route))
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_public_list_matches_the_url_configuration():
    public = {name for _, name, view in ROUTES if getattr(view, "pg_public", False)}
    assert public == EXPECTED_PUBLIC


def test_a_view_without_a_section_is_refused(owner_client, owner_account):
    """Deny by default at run time too: an undeclared account view cannot be served."""
    from django.core.exceptions import ImproperlyConfigured
    from django.http import HttpResponse
    from django.test import override_settings
    from django.urls import include, path

    def undeclared(request, account):
        return HttpResponse("leak")

    urlpatterns = [path("a/<slug:account>/undeclared/", undeclared)]
    module = type("urls", (), {"urlpatterns": urlpatterns, "include": include})
    with override_settings(ROOT_URLCONF=module):
        owner_client.raise_request_exception = True
        with pytest.raises(ImproperlyConfigured):
            owner_client.get(f"/a/{owner_account.slug}/undeclared/")
