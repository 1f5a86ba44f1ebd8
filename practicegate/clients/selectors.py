"""Reads of the Clients section. Every query starts from the account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import CharField, Count, F, Func, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from practicegate.audit.chain import canonical
from practicegate.audit.selectors import EventFilter, account_events, events_page
from practicegate.clients import terms
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
from practicegate.core.paging import PAGE_SIZE, Keyset, Page, Tally, keyset_page, tally
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer


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
#
# What a typed term means is read by clients.terms (no database); here each reading becomes
# a condition answered by an index: a name by search_key (a trigram index on PostgreSQL), a
# client number by (account, number), a date of birth by (account, birth_date), a phone by
# a range of each (account, phone key) index (the digits last first: "ends with" becomes
# "starts with"). A term with several readings ("0157") finds the clients of any of them.

Search = terms.Search
PHONE_KEYS = ("home_phone_key", "mobile_phone_key", "work_phone_key")


def parse_search(query: str) -> Search:
    """What `query` was typed to find (terms.read_term; two-digit years resolved from today)."""
    return terms.read_term(query, today=timezone.localdate())


def _phone_range(digits: str) -> tuple[str, str]:
    """The keys of phones ending in `digits`: every key starting with them reversed.

    Keys are digits only, so "starts with p" is the range p .. p followed by nines, which
    sorts the same way under any collation, and any index on the key can read it."""
    start = digits[::-1]
    return start, start + "9" * max(0, terms.MAX_PHONE_DIGITS - len(start))


def reading_filter(reading: terms.Reading) -> Q:
    """The condition of one reading of a term."""
    if reading.kind == terms.NUMBER:
        return Q(number=reading.value)
    if reading.kind == terms.BIRTH_DATE:
        return Q(birth_date=reading.value) if reading.value else Q(pk__in=[])
    if reading.kind == terms.PHONE:
        keys = _phone_range(reading.value)
        return Q(home_phone_key__range=keys) | Q(mobile_phone_key__range=keys) | Q(work_phone_key__range=keys)
    match = Q()
    # search_key holds first, last and preferred name folded (text.fold); every word must
    # appear in it, in any order. On PostgreSQL the pg_trgm GIN index answers LIKE '%word%'.
    for word in reading.value:
        match &= Q(search_key__contains=word)
    return match


def search_filter(search: Search) -> Q:
    """The condition a search puts on clients (the same for one account or several)."""
    if not search.readings:
        return Q()
    match = reading_filter(search.readings[0])
    for reading in search.readings[1:]:
        match |= reading_filter(reading)
    return match


def reading_matches(reading: terms.Reading, client: Client) -> bool:
    """True when `client` is one that `reading` finds (the same test as reading_filter, in Python)."""
    if reading.kind == terms.NUMBER:
        return client.number == reading.value
    if reading.kind == terms.BIRTH_DATE:
        return reading.value is not None and client.birth_date == reading.value
    if reading.kind == terms.PHONE:
        start = reading.value[::-1]
        return any(getattr(client, key).startswith(start) for key in PHONE_KEYS)
    return all(word in client.search_key for word in reading.value)


@dataclass(frozen=True)
class Group:
    """The clients of one page that one reading of the term found, under its label."""

    label: str
    kind: str
    rows: list


def groups_of(search: Search, rows: list) -> list[Group]:
    """The rows of a page under the reading that found each ("Client number 157", "Phone
    numbers ending in 0157"), in the order of the readings; [] when the term means one thing.
    A client found by two readings is shown under the first."""
    if not search.ambiguous:
        return []
    groups = [Group(r.label, r.kind, []) for r in search.readings]
    for row in rows:
        for reading, group in zip(search.readings, groups, strict=True):
            if reading_matches(reading, row):
                group.rows.append(row)
                break
    return groups


def client_search(account, search: Search, status: str = "active") -> QuerySet:
    qs = clients_of(account)
    if status in (Status.ACTIVE, Status.DISCHARGED):
        qs = qs.filter(status=status)
    return qs.filter(search_filter(search))


def clients_matching(account, term: str, *, status: str = "all", limit: int = 20) -> list[Group]:
    """The first `limit` clients of the account that `term` finds, in name order, in labelled
    groups (one group when the term means one thing): what a client picker lists.

    Read as the list reads it (parse_search). Showing clients is a read of PHI: the page
    that shows them logs it (audit.phi.record_phi_read, naming the clients shown)."""
    search = parse_search(term)
    if not search.readings:
        return []
    rows = list(client_search(account, search, status).order_by(_name_order(search).asc(), "id")[:limit])
    return groups_of(search, rows) or [Group(search.readings[0].label, search.readings[0].kind, rows)]


def _sorted_matches(search: Search) -> bool:
    """True when the matches are better found first and sorted than looked for in name order.

    A number, a date of birth or a phone finds a handful of clients through its own
    index. So does a trigram name search on PostgreSQL, though the planner assumes its
    matches spread evenly over the name index (a searched last name sits in one stretch of
    it, possibly at its far end). SQLite has no trigram index: there a name search reads
    the name index in order and tests each row."""
    if not search.readings:
        return False
    names = [r for r in search.readings if r.kind == terms.NAME]
    if not names:
        return True
    return connection.vendor == "postgresql" and all(len(w) >= 3 for r in names for w in r.value)


def _name_order(search: Search):
    """The list's order: sort_key, or, where the matches are better sorted (_sorted_matches),
    the same values as an expression, which the name index cannot supply: the planner then
    finds the matches through their own index and sorts them."""
    if _sorted_matches(search):
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
