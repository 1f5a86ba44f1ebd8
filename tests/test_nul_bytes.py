"""NUL bytes in a path or a parameter never give a 500, and a refused request still reaches the log.

PostgreSQL refuses NUL in text and in JSON (SQLite takes it): a raw request value that
reached a query, or an event's detail holding the raw path, answered 500 there and the
refusal was never logged (finding 4 of issue 23). Every route of the URL configuration
(tests/walk.py, its ids filled with real rows of the account) is asked with NUL in the
path, and with NUL in each GET and POST parameter it reads: the names of its page's
form fields and the raw parameters views read outside forms. Run it on PostgreSQL:
`DATABASE_URL=postgres://... pytest tests/test_nul_bytes.py`.
"""

from __future__ import annotations

import re

import pytest

from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.services import record
from practicegate.audit.verify import verify_chain
from practicegate.core.sections import MEMBERS
from tests.helpers import login_client, make_account
from tests.walk import PARAM, every_route, last_id, make_rows, path_for

NUL = "\x00"
# Parameters read outside a form (core.params.param): each route is asked with all of them.
RAW = ("token", "to", "from", "next", "status", "after", "before", "q", "format")
FIELD_NAME = re.compile(r'\bname="([^"]+)"')
ROUTES = sorted({route: view for route, _, view in every_route()}.items())


def _not_found_logged(account, actor, mark: int) -> bool:
    return AuditEvent.objects.filter(id__gt=mark, account=account, actor=actor,
                                     action="access.not_found", outcome="denied").count() == 1


def _paths_with_nul(route: str, filled: str, slug: str) -> list[str]:
    """The route with each of its parameters (the account too) replaced by NUL, and NUL appended."""
    def fill(nul_at: int):
        return lambda m: "%00" if m.start() == nul_at else slug if m["name"] == "account" else "1"

    return [filled.rstrip("/") + "/%00/"] + ["/" + PARAM.sub(fill(m.start()), route) for m in PARAM.finditer(route)]


def _field_names(http, path: str) -> set[str]:
    response = http.get(path)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return set()
    return set(FIELD_NAME.findall(response.content.decode())) - {"csrfmiddlewaretoken"}


@pytest.mark.django_db
@pytest.mark.parametrize("route, view", ROUTES, ids=[route for route, _ in ROUTES])
def test_nul_in_the_path_and_every_parameter_is_answered_and_logged(route, view):
    account = make_account("Nul Practice", "nul-owner")
    owner = account.owner
    section = getattr(view, "pg_section", MEMBERS)
    in_account = "<slug:account>" in route
    own = make_rows(route, section, account) if in_account else {}
    # The page itself (ids filled with the account's rows); None: a route outside any account
    # that takes a value (a password-reset link), asked only with NUL in the path.
    path = path_for(route, account.slug, own) if in_account else None if PARAM.search(route) else "/" + route

    http = login_client(owner)
    for nul_path in _paths_with_nul(route, path or "/" + PARAM.sub("x", route), account.slug):
        http.force_login(owner, backend="practicegate.accounts.backends.UsernameBackend")
        for method in ("get", "post"):
            mark = last_id()
            response = getattr(http, method)(nul_path)
            assert response.status_code < 500, f"{method.upper()} {nul_path!r}: {response.status_code}"
            # Today's rule (access.middleware): a signed-in 404 under /a/ is logged, in the
            # URL's account for a member, else in the username's home (here the same account).
            if response.status_code == 404 and nul_path.startswith("/a/"):
                assert _not_found_logged(account, owner, mark), f"{method.upper()} {nul_path!r}: 404 not logged"

    if path is None:
        return
    names = _field_names(http, path) | set(RAW)
    for name in sorted(names):
        for method in ("get", "post"):
            http.force_login(owner, backend="practicegate.accounts.backends.UsernameBackend")
            mark = last_id()
            response = getattr(http, method)(path, {name: NUL})
            where = f"{method.upper()} {path} {name}=NUL"
            assert response.status_code < 500, f"{where}: {response.status_code}"
            if response.status_code == 404 and in_account:
                assert _not_found_logged(account, owner, mark), f"{where}: 404 not logged"


@pytest.mark.django_db
def test_an_event_detail_keeps_nul_and_lone_surrogates_escaped_and_the_chain_verifies():
    account = make_account("Nul Practice", "nul-owner")
    event = record("access.not_found", account=account, actor=account.owner, section="",
                   detail={"path": "/a/x/\x00/", "nested": {"k\x00": ["\ud800", 1]}})
    event.refresh_from_db()
    assert event.detail == {"path": "/a/x/\\x00/", "nested": {"k\\x00": ["\\ud800", 1]}}
    [chain] = AuditChain.objects.filter(account=account)
    assert verify_chain(chain) == []
