"""What the generated walks need to fill a route: its account routes, and real rows for its ids.

tests/test_authorization_matrix.py and tests/audit/test_completeness.py walk every account
route from the URL configuration. Each id in a route is filled with a real row: one of the
URL's account (the request must behave per level, and be logged) and one of another account
(the request must answer 404 and change nothing). `ID_KINDS` says which kind of row each route
kwarg takes; a route with a kwarg it does not know fails the walks, so a new route (a client
id, say) cannot be walked with made-up ids.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from practicegate.access.models import EmergencyAccess, JoinCode, OwnerNotice, Role
from practicegate.accounts.models import Account, Membership
from practicegate.audit.models import AuditEvent
from practicegate.billing.models import (
    Acknowledgment,
    Claim,
    ClaimBatch,
    ClaimLine,
    Clearinghouse,
)
from practicegate.clients.models import (
    Client,
    ClientChange,
    ClientDiagnosis,
    ClientPolicy,
    ClientSearch,
    ClientService,
)
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import (
    BillingCode,
    DiagnosisCode,
    InsurancePayer,
)
from practicegate.records.models import PendingImport
from tests.clients.helpers import make_client
from tests.helpers import add_member, make_user

ACCOUNT_KWARG = "<slug:account>"
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_serial = itertools.count(1000)


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or "", entry.callback


def account_routes(patterns=None) -> list[tuple[str, str, Callable]]:
    """(route, name, view) of every route under /a/<account>/."""
    return [r for r in walk(patterns if patterns is not None else get_resolver().url_patterns)
            if ACCOUNT_KWARG in r[0]]


# --- the kinds of row --------------------------------------------------------------------------

def _diagnosis(account: Account, rows: dict | None = None) -> DiagnosisCode:
    n = next(_serial)
    return DiagnosisCode.objects.create(account=account, code=f"F{n}", description=f"Walk code {n}")


def _billing(account: Account, rows: dict | None = None) -> BillingCode:
    n = next(_serial)
    return BillingCode.objects.create(account=account, code=f"9{n % 10000:04d}", description=f"Walk {n}")


def _payer(account: Account, rows: dict | None = None) -> InsurancePayer:
    n = next(_serial)
    return InsurancePayer.objects.create(account=account, name=f"Walk Payer {n}", payer_id=f"WLK{n}")


def _join_code(account: Account, rows: dict | None = None) -> JoinCode:
    return JoinCode.objects.create(
        account=account, code_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
        created_by=account.owner, expires_at=timezone.now() + timedelta(hours=24))


def _membership(account: Account, rows: dict | None = None) -> Membership:
    """A username of the account other than its owner (a row Delete and privileges may touch)."""
    return add_member(account, make_user(f"walk-{next(_serial)}"))


def _pending_import(account: Account, rows: dict | None = None) -> PendingImport:
    return PendingImport.objects.create(account=account, user=account.owner, kind="diagnosis",
                                        token=secrets.token_urlsafe(32), filename="walk.csv",
                                        data=b"code,description\nF411,Walk\n")


# Client pages are addressed by client number, which is per account: two accounts both
# have a #1. So that another account's client under this account's URL is a true stranger
# (no client of the URL's account has its number, nor an id equal to it, which an old-style
# address would be redirected from), each walk client gets a number unique across accounts
# and far above any id a test makes.
WALK_NUMBERS = 10_000_000


def _client(account: Account, rows: dict | None = None):
    serial = next(_serial)
    letters = "".join(chr(ord("a") + int(d)) for d in str(serial))  # names have no digits
    client = make_client(account, account.owner, last_name=f"Walk{letters}")
    Client._base_manager.filter(pk=client.pk).update(number=WALK_NUMBERS + serial)
    client.number = WALK_NUMBERS + serial
    return client


def _client_of(account: Account, rows: dict | None):
    """The client the route's <number> names (made first), else a new one."""
    return (rows or {}).get("number") or _client(account)


def _client_diagnosis(account: Account, rows: dict | None = None):
    from practicegate.clients import services

    client, code = _client_of(account, rows), _diagnosis(account)
    with account_scope(account):
        return services.client_diagnosis_add(actor=account.owner, account=account, client=client, code=code,
                                             is_primary=True, start_date=date(2024, 1, 1))


def _client_policy(account: Account, rows: dict | None = None):
    from practicegate.clients import services

    client, payer = _client_of(account, rows), _payer(account)
    with account_scope(account):
        return services.client_policy_add(actor=account.owner, account=account, client=client, payer=payer,
                                          data={"priority": 1, "member_id": "M1",
                                                "effective_date": date(2024, 1, 1)})


def _client_service(account: Account, rows: dict | None = None):
    from practicegate.clients import services

    client, code = _client_of(account, rows), _billing(account)
    dx = _client_diagnosis(account, {"number": client})  # a service points to one of the client's diagnoses
    with account_scope(account):
        code.refresh_from_db()  # the fee as stored (a Decimal), as a page would read it
        return services.client_service_add(actor=account.owner, account=account, client=client,
                                           billing_code=code, data={"service_date": date(2024, 1, 2),
                                                                    "diagnosis1": dx})


def _client_change(account: Account, rows: dict | None = None):
    """A client's recorded change (adding a client writes its first one)."""
    client = _client(account)
    with account_scope(account):
        return ClientChange.objects.filter(client=client).latest("pk")


def _client_search(account: Account, rows: dict | None = None):
    """The terms kept beside a client list search's event (as the list page writes them)."""
    from practicegate.audit.services import record
    from practicegate.clients.searchlog import keep_terms, search_terms_digest

    with account_scope(account):
        event = record("phi.view", account=account, actor=account.owner, section="clients",
                       target_type="client_list", detail={"shown": 0, "search": "name", "words": 1,
                                                          "terms_hmac": search_terms_digest("walk")})
        [row] = keep_terms([event], "walk", kind="list")
        return row


# --- billing ----------------------------------------------------------------------------------

def _clearinghouse(account: Account, rows: dict | None = None) -> Clearinghouse:
    n = next(_serial)
    return Clearinghouse.objects.create(account=account, name=f"Walk Clearinghouse {n}",
                                        receiver_id=f"RCV{n}", submitter_id=f"SUB{n}",
                                        submitter_name="Walk Billing", contact_name="Walk Contact")


def _claim(account: Account, rows: dict | None = None) -> Claim:
    """A draft claim of one line, made from a real service of a client with a policy."""
    service = _client_service(account)
    policy = _client_policy(account, {"number": service.client})
    number = WALK_NUMBERS + next(_serial)  # unique across accounts, like the walk clients' numbers
    claim = Claim.objects.create(account=account, number=number, client=service.client, policy=policy,
                                 diagnosis_codes=[service.diagnosis1.code.code], created_by=account.owner,
                                 total_charge=service.fee * service.units)
    ClaimLine.objects.create(account=account, claim=claim, service=service, line_number=1,
                             service_date=service.service_date, procedure_code=service.billing_code.code,
                             units=service.units, charge=service.fee * service.units, pointer1=1)
    return claim


def _claim_line(account: Account, rows: dict | None = None) -> ClaimLine:
    claim = (rows or {}).get("claim_number") or _claim(account)
    return ClaimLine._base_manager.filter(claim=claim).first()


def _claim_batch(account: Account, rows: dict | None = None) -> ClaimBatch:
    house = _clearinghouse(account)
    n = next(_serial)
    return ClaimBatch.objects.create(account=account, number=WALK_NUMBERS + n, clearinghouse=house,
                                     control_number=n, created_by=account.owner, account_ids=[account.pk])


def _acknowledgment(account: Account, rows: dict | None = None) -> Acknowledgment:
    return Acknowledgment.objects.create(account=account, batch=_claim_batch(account), kind="999",
                                         file_text="", uploaded_by=account.owner)
# Emergency access ("break the glass"): a use of it, by a member Clients is closed to.
def _emergency_access(account: Account, rows: dict | None = None) -> EmergencyAccess:
    client = _client(account)
    user = _membership(account).user
    now = timezone.now()
    return EmergencyAccess.objects.create(account=account, user=user, client_id=client.pk,
                                          client_number=client.number, reason="Walk: the client called in crisis",
                                          started_at=now, ends_at=now + timedelta(minutes=60))
# --- roles and owner notices (feature: roles) ---------------------------------------------------

def _role(account: Account, rows: dict | None = None) -> Role:
    """A role of the account, made its only one (the three seeded at sign-up are removed first),
    so that the scoping tests can name every role row of the account."""
    n = next(_serial)
    Role.objects.with_scope(account=account).filter(account=account).delete()
    return Role.objects.create(account=account, name=f"Walk role {n}", levels={"clients": 1})


def _owner_notice(account: Account, rows: dict | None = None) -> OwnerNotice:
    return OwnerNotice.objects.create(account=account, kind="privileges", text=f"Walk notice {next(_serial)}")


@dataclass(frozen=True)
class RowKind:
    key: str
    model: type
    make: Callable[..., object]  # (account, rows made so far for the same route)


ROW_KINDS = {kind.key: kind for kind in [
    RowKind("diagnosis", DiagnosisCode, _diagnosis),
    RowKind("billing", BillingCode, _billing),
    RowKind("payer", InsurancePayer, _payer),
    RowKind("join_code", JoinCode, _join_code),
    RowKind("membership", Membership, _membership),
    RowKind("pending_import", PendingImport, _pending_import),
    RowKind("client", Client, _client),
    RowKind("client_diagnosis", ClientDiagnosis, _client_diagnosis),
    RowKind("client_policy", ClientPolicy, _client_policy),
    RowKind("client_service", ClientService, _client_service),
    RowKind("client_change", ClientChange, _client_change),
    RowKind("client_search", ClientSearch, _client_search),
    RowKind("clearinghouse", Clearinghouse, _clearinghouse),
    RowKind("claim", Claim, _claim),
    RowKind("claim_line", ClaimLine, _claim_line),
    RowKind("claim_batch", ClaimBatch, _claim_batch),
    RowKind("acknowledgment", Acknowledgment, _acknowledgment),
    RowKind("emergency_access", EmergencyAccess, _emergency_access),  # emergency access
    # Roles and owner notices (feature: roles)
    RowKind("role", Role, _role),
    RowKind("owner_notice", OwnerNotice, _owner_notice),
]}

# Which kind of row each route kwarg takes: by kwarg name, or by (kwarg name, the route's
# section) where one name means a different row in different sections. Add new routes here.
ID_KINDS: dict[str | tuple[str, str], str] = {
    "code_id": "join_code",
    "membership_id": "membership",
    ("pk", "diagnosis_codes"): "diagnosis",
    ("pk", "billing_codes"): "billing",
    ("pk", "payers"): "payer",
    ("number", "clients"): "client",  # a client's number (per account), not its id
    # A client's line: by the tab its route is under (the line belongs to the route's client).
    ("line_pk", "diagnoses"): "client_diagnosis",
    ("line_pk", "insurance"): "client_policy",
    ("line_pk", "services"): "client_service",
    # paper claims (CMS-1500 PDFs): a claim by its number, a batch by its number (per account)
    ("number", "billing"): "claim",
    ("batch_number", "billing"): "claim_batch",
    "grant_id": "emergency_access",  # emergency access: a use of it, to review
    # Roles and owner notices (feature: roles)
    "role_id": "role",
    "notice_id": "owner_notice",
    # Billing (issue 27, billpages): a claim by its number (per account), a clearinghouse by id.
    ("number", "claims"): "claim",
    ("pk", "clearinghouses"): "clearinghouse",
    # Claim batches (the batches feature): by batch number, per account.
    "batch_number": "claim_batch",
}


class UnknownRouteKwarg(LookupError):
    """A route takes an id the walks cannot fill with a real row."""


def id_kwargs(route: str) -> list[str]:
    return [m["name"] for m in PARAM.finditer(route) if m["name"] != "account"]


def _segment_before(route: str, kwarg: str) -> str:
    head = re.split(r"<(?:\w+:)?" + kwarg + ">", route, maxsplit=1)[0].rstrip("/")
    return head.rsplit("/", 1)[-1]


def kind_for(route: str, kwarg: str, section: str) -> RowKind:
    key = (ID_KINDS.get((kwarg, _segment_before(route, kwarg))) or ID_KINDS.get((kwarg, section))
           or ID_KINDS.get(kwarg))
    if key is None:
        raise UnknownRouteKwarg(
            f"{route} takes <{kwarg}> (section {section}): say in tests/walk.py ID_KINDS which kind "
            "of row it takes (and add a RowKind that makes one), so the walks use real rows")
    return ROW_KINDS[key]


def unknown_kwargs(routes) -> list[str]:
    """Route kwargs the walks cannot fill: each one is a failure."""
    gaps = []
    for route, _, view in routes:
        for kwarg in id_kwargs(route):
            try:
                kind_for(route, kwarg, getattr(view, "pg_section", ""))
            except UnknownRouteKwarg as exc:
                gaps.append(str(exc))
    return gaps


def make_rows(route: str, section: str, account: Account) -> dict[str, object]:
    """A fresh real row of `account` for each id the route takes, by kwarg name (in route order,
    so a line is made for the client the route names)."""
    rows: dict[str, object] = {}
    for kwarg in id_kwargs(route):
        rows[kwarg] = kind_for(route, kwarg, section).make(account, rows)
    return rows


# Route kwargs filled with a field of the row other than its id.
BY_FIELD = {"number": "number",
            "batch_number": "number"}  # claim batches (the batches feature)


def path_for(route: str, slug: str, rows: dict[str, object]) -> str:
    def fill(match):
        if match["name"] == "account":
            return slug
        return str(getattr(rows[match["name"]], BY_FIELD.get(match["name"], "pk")))

    return "/" + PARAM.sub(fill, route).lstrip("^").rstrip("$")


def state_of(row) -> dict | None:
    """The row as stored now (every account: unscoped), or None when it is gone."""
    return type(row)._base_manager.filter(pk=row.pk).values().first()


def states(rows: dict[str, object]) -> dict[str, dict | None]:
    return {kwarg: state_of(row) for kwarg, row in rows.items()}


# --- finding 6 of issue 11: the foreign-id 404 is logged ------------------------------------
# The 404 of a foreign id inside an account the username belongs to is written to that
# account's log as one access.not_found refusal (access.middleware); the walks require it.


def foreign_404_gap(events, *, account: Account, actor, method: str, path: str) -> str | None:
    """What is wrong with the events a foreign-id 404 left in the URL's account, or None."""
    mine = [e for e in events if e.account_id == account.pk and e.actor_id == actor.pk]
    if len(mine) != 1 or mine[0].action != "access.not_found" or mine[0].outcome != "denied":
        shape = [(e.action, e.outcome, e.account_id) for e in events]
        return f"{method} {path}: foreign-id 404 logged as {shape}, expected one refusal event"
    return None


# Requests made by the walks, and what they may change.
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Tables a refused request may legitimately touch: sessions, log-in throttling, the log itself.
UNTRACKED_APPS = {"sessions", "axes", "audit"}
# Your sessions (issue 26): a session's row of "Your sessions" (last active, its IP) moves with any request.
UNTRACKED_MODELS = {"accounts.UserSession"}


def last_id() -> int:
    """The id of the newest event, 0 when there is none."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def snapshot() -> str:
    """A digest of every row of every tracked table: any insert, update or delete changes it."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.app_label in UNTRACKED_APPS or model._meta.label in UNTRACKED_MODELS or model._meta.proxy:
            continue
        digest.update(model._meta.label.encode())
        for row in model._base_manager.order_by("pk").values_list():  # every account: unscoped
            digest.update(repr(row).encode())
    return digest.hexdigest()


def call(client, method: str, url: str):
    """Request `url` with `method`, as the walks do."""
    return getattr(client, method.lower())(url, HTTP_USER_AGENT="completeness")


def every_route(patterns=None, prefix="", namespace=""):
    """Yield every route of the URL configuration as (route, namespaced name, view)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from every_route(entry.url_patterns, prefix + str(entry.pattern),
                                   f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name or ''}", entry.callback
