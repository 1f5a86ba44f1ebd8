"""Completeness: every account-scoped URL and method, driven by the URL conf.

For each request that succeeds (< 400) an event with the right account, actor,
action and outcome was written during it, and an unsafe request that changed
any row left more than a `page.view` (an unsafe request that changed nothing,
such as re-saving an unchanged setting, may stay silent). A request that fails
changed nothing. A member below the section's level is refused with an
`access.denied` event (outcome denied), and nothing changed.
Routes other apps add are walked the same way the moment they exist.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from practicegate.audit.actions import ACTIONS
from practicegate.audit.models import AuditEvent
from practicegate.core.middleware import SAFE_METHODS, needed_level
from practicegate.core.sections import MEMBERS, SECTION_KEYS, Level
from tests.conftest import add_member, login_client, make_user

pytestmark = pytest.mark.django_db
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
MISSING = {"int": "987654", "slug": "no-such-thing", "str": "no-such-thing", "path": "no/such/thing",
           "uuid": "00000000-0000-4000-8000-000000000000"}
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
# Tables a refused request may legitimately touch: sessions, log-in throttling, the log itself.
UNTRACKED_APPS = {"sessions", "axes", "audit"}


def account_routes() -> list[str]:
    routes = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                routes.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted({r for r in routes if "<slug:account>" in r})


def url_for(route: str, slug: str) -> str:
    def fill(m):
        return slug if m["name"] == "account" else MISSING.get(m["conv"] or "str", "no-such-thing")

    return "/" + PARAM.sub(fill, route).lstrip("^").rstrip("$")


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def snapshot() -> str:
    """A digest of every row of every tracked table: any insert, update or delete changes it."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.app_label in UNTRACKED_APPS or model._meta.proxy:
            continue
        digest.update(model._meta.label.encode())
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def call(client, method: str, url: str):
    return getattr(client, method.lower())(url, HTTP_USER_AGENT="completeness")


def test_the_walk_sees_the_known_routes():
    routes = account_routes()
    assert "a/<slug:account>/reports/" in routes
    assert "a/<slug:account>/settings/" in routes
    assert len(routes) >= 5


def test_every_successful_request_is_logged(owner_account, owner):
    gaps = []
    client = login_client(owner)
    for route in account_routes():
        url = url_for(route, owner_account.slug)
        for method in METHODS:
            mark, before = last_id(), snapshot()
            try:
                response = call(client, method, url)
            except Exception as exc:  # a 500 is a gap too; keep walking to list them all
                gaps.append(f"{method} {url}: raised {exc!r}")
                continue
            events = list(AuditEvent.objects.filter(id__gt=mark, account=owner_account, actor=owner))
            if response.status_code >= 400:
                if snapshot() != before:
                    gaps.append(f"{method} {url}: answered {response.status_code} but changed data")
                continue
            if not events:
                gaps.append(f"{method} {url}: {response.status_code} without an event")
            elif any(e.action not in ACTIONS for e in events):
                gaps.append(f"{method} {url}: unregistered action")
            elif method in SAFE_METHODS and not any(e.outcome == "success" for e in events):
                gaps.append(f"{method} {url}: no success event")
            elif method not in SAFE_METHODS and not any(e.action != "page.view" for e in events):
                gaps.append(f"{method} {url}: a change logged only as page.view")
    assert gaps == []


@pytest.mark.parametrize("granted, methods", [(Level.NONE, ["GET"]), (Level.VIEW, METHODS[1:])])
def test_every_refused_request_is_logged_as_denied(owner_account, granted, methods):
    member = make_user(f"limited{int(granted)}")
    add_member(owner_account, member, {key: int(granted) for key in SECTION_KEYS})
    client = login_client(member)
    gaps, refused = [], 0
    for route in account_routes():
        url = url_for(route, owner_account.slug)
        view = resolve(url).func
        section = getattr(view, "pg_section", None)
        if section == MEMBERS:
            continue
        for method in methods:
            if granted >= needed_level(view, method):
                continue
            mark, before = last_id(), snapshot()
            response = call(client, method, url)
            refused += 1
            events = list(AuditEvent.objects.filter(id__gt=mark))
            shape = [(e.action, e.outcome, e.account_id, e.actor_id, e.section) for e in events]
            if response.status_code != 403:
                gaps.append(f"{method} {url}: {response.status_code}, expected 403")
            elif shape != [("access.denied", "denied", owner_account.pk, member.pk, section)]:
                gaps.append(f"{method} {url}: logged {shape}")
            if snapshot() != before:
                gaps.append(f"{method} {url}: refused but changed data")
    assert refused > 0
    assert gaps == []
