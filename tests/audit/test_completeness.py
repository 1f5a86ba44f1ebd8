"""Completeness: every account-scoped URL and method, driven by the URL conf.

Ids in a route are real rows (tests/walk.py), fresh for each request. With the account's
own rows: for each request that succeeds (< 400) an event with the right account, actor,
action and outcome was written during it, and an unsafe request that changed
any row left more than a `page.view` (an unsafe request that changed nothing,
such as re-saving an unchanged setting, may stay silent). A request that fails
changed nothing. A member below the section's level is refused with an
`access.denied` event (outcome denied), and nothing changed. With another account's rows
(an account the username also belongs to): 404, and nothing changed anywhere.
Routes other apps add are walked the same way the moment they exist.
"""

from __future__ import annotations

import pytest

from practicegate.accounts.models import UserSession
from practicegate.accounts.sessions import key_hash
from practicegate.audit.actions import ACTIONS
from practicegate.audit.models import AuditEvent
from practicegate.core.decorators import SAFE_METHODS, needed_level
from practicegate.core.sections import MEMBERS, SECTION_KEYS, Level
from tests.helpers import add_member, login_client, make_user
from tests.walk import (
    METHODS,
    account_routes,
    call,
    every_route,
    foreign_404_gap,
    id_kwargs,
    last_id,
    make_rows,
    path_for,
    snapshot,
    unknown_kwargs,
)

pytestmark = pytest.mark.django_db
ROUTES = sorted(account_routes())


def url_for(route: str, view, account) -> str:
    """The route in `account` with a fresh row of that account for each id."""
    return path_for(route, account.slug, make_rows(route, getattr(view, "pg_section", ""), account))


def test_the_walk_sees_the_known_routes():
    routes = [route for route, _, _ in ROUTES]
    assert "a/<slug:account>/reports/" in routes
    assert "a/<slug:account>/settings/" in routes
    assert len(routes) >= 5
    assert unknown_kwargs(ROUTES) == [], "account routes whose ids the walk cannot fill"


def test_every_successful_request_is_logged(owner_account, owner):
    gaps = []
    client = login_client(owner)
    for route, _, view in ROUTES:
        for method in METHODS:
            url = url_for(route, view, owner_account)
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


def test_another_accounts_rows_are_404_and_change_nothing(owner_account, owner, other_account):
    """A username of both accounts, in one account's URLs with the other account's row ids."""
    add_member(other_account, owner)
    client = login_client(owner)
    gaps, walked = [], 0
    for route, _, view in ROUTES:
        if not id_kwargs(route):
            continue
        for method in METHODS:
            foreign = make_rows(route, getattr(view, "pg_section", ""), other_account)
            url = path_for(route, owner_account.slug, foreign)
            mark, before = last_id(), snapshot()
            response = call(client, method, url)
            walked += 1
            if response.status_code not in (404, 405):
                gaps.append(f"{method} {url}: answered {response.status_code} for another account's row")
            if snapshot() != before:
                gaps.append(f"{method} {url}: another account's row, and data changed")
            if response.status_code == 404:
                gap = foreign_404_gap(list(AuditEvent.objects.filter(id__gt=mark)), account=owner_account,
                                      actor=owner, method=method, path=url)
                if gap:
                    gaps.append(gap)
    assert walked > 0
    assert gaps == []


@pytest.mark.parametrize("granted, methods", [(Level.NONE, ["GET"]), (Level.VIEW, METHODS[1:])])
def test_every_refused_request_is_logged_as_denied(owner_account, granted, methods):
    member = make_user(f"limited{int(granted)}")
    add_member(owner_account, member, {key: int(granted) for key in SECTION_KEYS})
    client = login_client(member)
    gaps, refused = [], 0
    for route, _, view in ROUTES:
        section = getattr(view, "pg_section", None)
        if section == MEMBERS:
            continue
        for method in methods:
            if granted >= needed_level(view, method):
                continue
            url = url_for(route, view, owner_account)
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


# --- Your sessions (issue 26): the username's own routes outside any account ---------------------
# They take no account, so the walks above pass them by; each of them is walked here, from the URL
# configuration: a POST that ends sessions writes its event, and a session of another username
# (filled in for every id) answers 404, ends nothing and writes nothing.
SESSION_ROUTES = sorted(r for r in every_route() if r[0].startswith("me/sessions/"))


def test_your_sessions_routes_log_their_changes_and_refuse_another_usernames_session(owner, outsider):
    assert {name for _, name, _ in SESSION_ROUTES} == {"sessions:index", "sessions:sign-out",
                                                        "sessions:sign-out-others"}
    ending = {"auth.session_end", "auth.sessions_end_others"}

    def accepts_post(route):
        return route != "me/sessions/"  # the list itself answers GET only (405, tested below)

    gaps, posted = [], 0
    for route, _, _ in SESSION_ROUTES:
        takes_id = "<int:row_id>" in route
        for method in ("GET", "POST"):
            for whose in ("another username's", "own") if takes_id else ("own",):
                client, other, theirs = login_client(owner), login_client(owner), login_client(outsider)
                row = UserSession.objects.get(key_hash=key_hash(
                    (theirs if whose != "own" else other).session.session_key))
                url = "/" + route.replace("<int:row_id>", str(row.pk))
                mark = last_id()
                response = call(client, method, url)
                events = [(e.action, e.actor_id) for e in AuditEvent.objects.filter(id__gt=mark)]
                if theirs.get("/me/sessions/").status_code != 200:
                    gaps.append(f"{method} {url}: ended another username's session")
                if whose != "own":
                    if response.status_code not in (404, 405) or events:
                        gaps.append(f"{method} {url} ({whose}): {response.status_code}, logged {events}")
                elif method == "POST" and accepts_post(route):
                    posted += 1
                    if response.status_code != 302 or not events or \
                            any(action not in ending or actor != owner.pk for action, actor in events):
                        gaps.append(f"{method} {url}: {response.status_code}, logged {events}")
    assert posted == 2
    assert gaps == []
    assert login_client(owner).post("/me/sessions/").status_code == 405
