"""Reads of the Clients section. Every query starts from the account."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import phonenumbers
from django.db import connection
from django.db.models import CharField, Count, F, Func, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from practicegate.audit.chain import canonical
from practicegate.audit.selectors import EventFilter, account_events, events_page
from practicegate.clients.models import (
    Client,
    ClientChange,
    ClientDiagnosis,
    ClientPolicy,
    ClientSearch,
    ClientService,
    Status,
)
from practicegate.clients.searchlog import TARGET_TYPES, kept_none, search_terms_digest
from practicegate.core import text
from practicegate.core.paging import PAGE_SIZE, Keyset, Page, Tally, keyset_page, tally
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer

MAX_WORDS = 6
NUMBER_RE = re.compile(r"^#?\s*(\d{1,9})$")
DATE_RES = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"))
PHONEISH_RE = re.compile(r"^[\d\s().+\-]{7,30}$")


def clients_of(account) -> QuerySet:
    return Client.objects.filter(account=account)


def client_by_number(account, number: int) -> Client | None:
    """The account's client with this client number (numbers are unique per account), or None.

    Client pages are addressed by number: /a/<account>/clients/<number>/."""
    return clients_of(account).filter(number=number).first()


def client_by_old_id(account, pk: int) -> Client | None:
    """The account's client with this database id, or None (another account's id too): for
    addresses written before numbers were in addresses, which the views redirect."""
    return clients_of(account).filter(pk=pk).first()


def client_get(account, number: int) -> Client:
    """The account's client with this client number; any other number is 404."""
    client = client_by_number(account, number)
    if client is None:
        raise Http404("No such client")
    return client


# --- Search and the list -------------------------------------------------------------

@dataclass(frozen=True)
class Search:
    """What a query was read as: kind is "", "number", "birth_date", "phone" or "name"."""

    kind: str
    value: object = None

    @property
    def words(self) -> int:
        return len(self.value) if self.kind == "name" else 0


def parse_search(query: str) -> Search:
    query = text.nfc(query or "")
    if not query:
        return Search("")
    if m := NUMBER_RE.match(query):
        return Search("number", int(m[1]))
    for i, pattern in enumerate(DATE_RES):
        if m := pattern.match(query):
            y, mo, d = (m[1], m[2], m[3]) if i == 0 else (m[3], m[1], m[2])
            try:
                return Search("birth_date", datetime(int(y), int(mo), int(d)).date())
            except ValueError:
                return Search("birth_date", None)  # an impossible date matches nobody
    if PHONEISH_RE.match(query):
        try:
            number = phonenumbers.parse(query, "US")
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_possible_number(number):
            return Search("phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    words = [w for w in text.fold(query).split() if w][:MAX_WORDS]
    return Search("name", words)


def search_filter(search: Search) -> Q:
    """The condition a search puts on clients (the same for one account or several)."""
    if search.kind == "number":
        return Q(number=search.value)
    if search.kind == "birth_date":
        return Q(birth_date=search.value) if search.value else Q(pk__in=[])
    if search.kind == "phone":
        return Q(home_phone=search.value) | Q(mobile_phone=search.value) | Q(work_phone=search.value)
    match = Q()
    if search.kind == "name":
        # search_key holds first, last and preferred name folded (text.fold); every word
        # must appear in it. On PostgreSQL the pg_trgm GIN index answers LIKE '%word%'.
        for word in search.value:
            match &= Q(search_key__contains=word)
    return match


def client_search(account, search: Search, status: str = "active") -> QuerySet:
    qs = clients_of(account)
    if status in (Status.ACTIVE, Status.DISCHARGED):
        qs = qs.filter(status=status)
    return qs.filter(search_filter(search))


def _name_order(search: Search):
    """The list's order: sort_key, or for a trigram name search on PostgreSQL the same values
    as an expression, which the name index cannot supply: the planner then finds the
    matches through the trigram index and sorts them, instead of walking the name index
    in order and testing every row (it assumes matches spread evenly; a searched last
    name sits in one stretch of it, possibly at its far end)."""
    if (search.kind == "name" and search.value and all(len(w) >= 3 for w in search.value)
            and connection.vendor == "postgresql"):
        return Func(F("sort_key"), template="(%(expressions)s || '')", output_field=CharField())
    return F("sort_key")


NAME_ORDER = Keyset(("sort_key", "id"))


@dataclass(frozen=True)
class Sort:
    """One order of the client list: its keyset (each backed by an index of Client, with and
    without the status filter) and the direction a first click on its heading gives."""

    key: str
    label: str
    keyset: Keyset
    descending_first: bool = False


SORTS = {sort.key: sort for sort in [
    Sort("name", "Name", NAME_ORDER),
    Sort("number", "Client #", Keyset(("number",))),  # unique in the account
    Sort("birth_date", "Date of birth", Keyset(("birth_date", "id"))),
    Sort("last_service", "Last service", Keyset(("last_service_date", "id")), descending_first=True),
]}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class Listing:
    page: Page
    tally: Tally
    sort: Sort
    descending: bool


def client_listing(account, *, query: str = "", status: str = "active", sort: str = DEFAULT_SORT,
                   descending: bool = False, after: int | None = None, before: int | None = None,
                   size: int = PAGE_SIZE, count: bool = True) -> Listing:
    """One page of the list in the order asked for, keyset-paged, and its bounded count.

    Cursors are client numbers (unique in the account), looked up in the account: another
    account's number names nothing here and gives the first page. A descending order is read
    as core.paging reads a newest-first list (its "before" link is the next page).
    """
    chosen = SORTS.get(sort) or SORTS[DEFAULT_SORT]
    search = parse_search(query)
    qs = client_search(account, search, status)
    keyset = chosen.keyset
    cursor_number = after or before
    cursor = (clients_of(account).filter(number=cursor_number).values_list(*keyset.fields).first()
              if cursor_number else None)
    forward = before is None or cursor is None
    order = (_name_order(search), "id") if chosen.key == "name" else None
    page = keyset_page(qs, keyset, after=cursor if forward else None, before=None if forward else cursor,
                       size=size, order=order, newest_first=descending, cursor_of=lambda row: row.number)
    counted = tally(qs, keyset, page, newest_first=descending) if count else Tally(0, 0, len(page.rows))
    return Listing(page, counted, chosen, descending)


def client_page(account, *, query: str = "", status: str = "active", after: int | None = None,
                before: int | None = None, size: int = PAGE_SIZE, sort: str = DEFAULT_SORT,
                descending: bool = False) -> Page:
    """One page of the list (client_listing without its count)."""
    return client_listing(account, query=query, status=status, sort=sort, descending=descending, after=after,
                          before=before, size=size, count=False).page


# --- One client's record ---------------------------------------------------------------

def diagnoses_of(account, client) -> list[ClientDiagnosis]:
    """Every diagnosis line, voided ones too (shown as voided), with its code: one query."""
    return list(ClientDiagnosis.objects.filter(account=account, client=client).select_related("code")
                .order_by("voided", "-is_primary", "start_date", "id"))


def policies_of(account, client) -> list[ClientPolicy]:
    return list(ClientPolicy.objects.filter(account=account, client=client).select_related("payer")
                .order_by("voided", "priority", "-effective_date", "id"))


SERVICE_ORDER = Keyset(("service_date", "id"))


def services_page(account, client, *, after: int | None = None, before: int | None = None,
                  size: int = PAGE_SIZE) -> Page:
    """One page of the client's services (voided ones too, shown as voided), newest first,
    keyset-paged by (date of service, id) from the service id of the cursor; a cursor that
    is not a service of this client (of this account) gives the first page."""
    qs = ClientService.objects.filter(account=account, client=client)
    cursor_id = after or before
    cursor = qs.filter(pk=cursor_id).values_list(*SERVICE_ORDER.fields).first() if cursor_id else None
    forward = before is None or cursor is None
    rows = qs.select_related("billing_code", "diagnosis1__code", "diagnosis2__code", "diagnosis3__code",
                             "diagnosis4__code")
    return keyset_page(rows, SERVICE_ORDER, after=cursor if forward else None,
                       before=cursor if not forward else None, size=size, newest_first=True)


@dataclass(frozen=True)
class ServiceTotals:
    """Units, charges and number of services of a client (voided services left out): one row per
    month (`month`: its first day), newest first, and all together."""

    months: list[dict]
    units: int
    charges: object  # Decimal
    count: int


def service_totals(account, client) -> ServiceTotals:
    """One query: the client's services not voided, summed per month of service."""
    months = list(ClientService.objects.filter(account=account, client=client, voided=False)
                  .annotate(month=TruncMonth("service_date")).order_by().values("month")
                  .annotate(units=Sum("units"), charges=Sum("fee"), count=Count("id")).order_by("-month"))
    cents = Decimal("0.01")
    for month in months:  # SQLite sums decimals without their places: always two here
        month["charges"] = Decimal(month["charges"]).quantize(cents)
    return ServiceTotals(months, sum(m["units"] for m in months), sum((m["charges"] for m in months), Decimal("0.00")),
                         sum(m["count"] for m in months))


def line_get(account, client, model, pk):
    line = model.objects.filter(account=account, client=client, pk=pk).first()
    if line is None:
        raise Http404("No such line")
    return line


def active_diagnosis_code(account, code: str) -> DiagnosisCode | None:
    return DiagnosisCode.objects.filter(account=account, code=code, active=True).first()


def active_payers(account) -> QuerySet:
    return InsurancePayer.objects.filter(account=account, active=True).order_by("name", "id")


def active_billing_codes(account) -> QuerySet:
    return BillingCode.objects.filter(account=account, active=True).order_by("code")


def open_policies(account, client, priority: int) -> QuerySet:
    return ClientPolicy.objects.filter(account=account, client=client, priority=priority, voided=False)


# --- What the activity log says about a client -----------------------------------------

def access_history(account, client, *, before: int | None = None, after: int | None = None):
    """Every view and change of this client, newest first, keyset-paged by sequence number."""
    qs = account_events(account, EventFilter(target_type="client", target_id=str(client.pk)))
    return events_page(qs, key="seq", before=before, after=after)


def changes_not_matching_the_log(account) -> list[int]:
    """Ids of ClientChange rows whose values no longer hash to what their event recorded.

    The activity log is hash-chained and signed; each change event carries the SHA-256 of
    its values, so an edit of a ClientChange row after the fact shows up here.
    """
    bad = []
    for change in ClientChange.objects.filter(account=account).select_related("event").iterator():
        digest = hashlib.sha256(canonical(change.changes)).hexdigest()
        if change.event.detail.get("values_sha256") != digest or change.event.target_id != str(change.client_id):
            bad.append(change.pk)
    return bad


def searches_not_matching_the_log(account) -> list[int]:
    """Ids of ClientSearch rows whose terms no longer give the digest their event recorded.

    Each search event carries the HMAC of its folded terms (searchlog.search_terms_digest),
    and the chain vouches for the event: terms edited after the fact, or a row moved to
    another event, show up here. (The digest is keyed with SECRET_KEY: after changing the
    key, rows written before no longer match.) A row beside an event that says it kept no
    terms (searchlog.kept_none) was put there afterwards. In id order, whatever order the rows lie in.
    """
    bad = []
    for row in ClientSearch.objects.filter(account=account).select_related("event").order_by("pk").iterator():
        event = row.event
        if (event.account_id != row.account_id or event.action != "phi.view" or kept_none(event)
                or event.target_type != TARGET_TYPES.get(row.kind)
                or (event.detail or {}).get("terms_hmac") != search_terms_digest(row.terms)):
            bad.append(row.pk)
    return bad


def searches_without_their_terms(account) -> list[int]:
    """Sequence numbers of search events whose ClientSearch row is missing (deleted).

    Searches logged before search terms were kept (migration clients.0004) are listed too;
    not those that say they kept none (a search of all accounts that showed nobody here).
    """
    kept = ClientSearch.objects.filter(account=account).values("event_id")
    events = (account_events(account).filter(action="phi.view", target_type__in=list(TARGET_TYPES.values()),
                                             detail__has_key="terms_hmac")
              .exclude(pk__in=kept).order_by("seq"))
    return [event.seq for event in events.only("seq", "detail") if not kept_none(event)]
