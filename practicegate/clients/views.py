"""Pages of the Clients section: thin views that parse input and call one service.

Every page that shows a client's data logs a `phi.view` naming the client through the
PHI-read hook (audit.phi.record_phi_read); the client list logs one naming how many
clients it showed and what kind of search it ran, and keeps the terms searched beside
it (clients.searchlog).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from practicegate.audit.phi import record_phi_read
from practicegate.clients import forms, selectors, services
from practicegate.clients.models import SearchKind
from practicegate.clients.searchlog import keep_terms, search_terms_digest
from practicegate.core import text
from practicegate.core.decorators import account_view, emergency_readable
from practicegate.core.paging import read_cursor
from practicegate.core.params import param
from practicegate.core.sections import Level
from practicegate.records.conflicts import conflict_context, merge_notice
from practicegate.records.editing import EditConflict

SECTION = "clients"


def posted(request):
    """The POST data, bound even when empty, so an empty POST is refused rather than shown a form."""
    return request.POST if request.method == "POST" else None


def by_number(view):
    """Give `view` the client its address names by client number, `/a/<account>/clients/<number>/...`.

    The number is looked up in the URL's account only: another account's #12 under this
    account's address is this account's #12, or 404. An address from before client numbers
    were in addresses carried the client's id: when the account has no client with that
    number and this account has a client with that id, a GET is sent (302, not cached: the
    number may come to exist later) to the client's number address. Another account's id is
    404, as any unknown number; the middleware has already answered non-members with 404.
    """
    @wraps(view)
    def wrapper(request, account, number, **kwargs):
        client = selectors.client_by_number(request.account, number)
        if client is None:
            moved = selectors.client_by_old_id(request.account, number) if request.method in ("GET", "HEAD") else None
            if moved is None:
                raise Http404("No such client")
            return redirect(_renumbered(request, account, moved.number))
        return view(request, account, client, **kwargs)

    return wrapper


def _renumbered(request, account, number: int) -> str:
    """The same page (and query) at the client's number address."""
    base = reverse("clients:list", kwargs={"account": account})
    rest = request.path[len(base):].split("/", 1)[1] if request.path.startswith(base) else ""
    query = request.META.get("QUERY_STRING", "")
    return f"{base}{number}/{rest}" + (f"?{query}" if query else "")


def _may_edit(request) -> bool:
    return request.levels.get(SECTION, Level.NONE) >= Level.FULL


def show(request, client, template: str, tab: str, context: dict | None = None, status: int = 200):
    """Render a page about one client, after logging that it was read (ids and names only)."""
    record_phi_read(request, target_type="client", target_id=client.pk, detail={"tab": tab})
    return render(request, template, {"client": client, "tab": tab, "may_edit": _may_edit(request),
                                      **(context or {})}, status=status)


# --- The list ----------------------------------------------------------------------------

@account_view(SECTION)
@require_GET
def client_list(request, account):
    search = forms.ClientSearchForm(request.GET)
    params = search.cleaned_data if search.is_valid() else {}
    query, status = params.get("q", ""), params.get("status") or "active"
    sort = param(request.GET, "sort")
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    descending = param(request.GET, "dir") == "desc"
    cursor = read_cursor(request.GET)
    listing = selectors.client_listing(request.account, query=query, status=status, sort=sort, descending=descending,
                                       after=cursor.after, before=cursor.before)
    page = listing.page
    parsed = selectors.parse_search(query)
    detail = {"shown": len(page.rows), "status": status, "client_ids": [c.pk for c in page.rows]}
    if sort != selectors.DEFAULT_SORT or descending:
        detail["sort"] = f"{sort} desc" if descending else sort
    if parsed.kind:
        detail.update(search=parsed.kind, words=parsed.words, terms_hmac=search_terms_digest(query))
    with transaction.atomic():  # the event and the terms its digest vouches for, together
        event = record_phi_read(request, target_type="client_list", detail=detail)
        if parsed.kind:
            keep_terms([event], query, kind=SearchKind.LIST)
    kept = {"q": query, "status": status} if query else {"status": status}
    ordered = {**kept, "sort": sort, **({"dir": "desc"} if descending else {})}
    return render(request, "clients/list.html", {
        "page": page, "query": query, "status": status, "search": search, "may_edit": _may_edit(request),
        "groups": selectors.groups_of(parsed, page.rows),
        "cue": listing.tally.cue("Client", "Clients"), "descending": descending,
        "filter_query": urlencode(ordered), "headings": _headings(listing, kept)})


def _headings(listing, kept: dict) -> dict[str, dict]:
    """The list's sortable column headings: each links to its order (the current one to the
    other direction) and says which is in use (aria-sort)."""
    headings = {}
    for sort in selectors.SORTS.values():
        current = sort.key == listing.sort.key
        descending = (not listing.descending) if current else sort.descending_first
        link = {**kept, "sort": sort.key, **({"dir": "desc"} if descending else {})}
        headings[sort.key] = {"key": sort.key, "label": sort.label, "href": "?" + urlencode(link),
                              "aria_sort": ("descending" if listing.descending else "ascending") if current else "",
                              "arrow": ("▼" if listing.descending else "▲") if current else ""}
    return headings


# --- One client ------------------------------------------------------------------------

@emergency_readable
@account_view(SECTION)
@require_GET
@by_number
def client_detail(request, account, client):
    return show(request, client, "clients/demographics.html", "demographics")


@emergency_readable
@account_view(SECTION)
@require_GET
@by_number
def client_diagnoses(request, account, client):
    return show(request, client, "clients/diagnoses.html", "diagnoses",
                 {"lines": selectors.diagnoses_of(request.account, client)})


@emergency_readable
@account_view(SECTION)
@require_GET
@by_number
def client_insurance(request, account, client):
    return show(request, client, "clients/insurance.html", "insurance",
                 {"lines": selectors.policies_of(request.account, client)})


@emergency_readable
@account_view(SECTION)
@require_GET
@by_number
def client_services(request, account, client):
    cursor = read_cursor(request.GET)
    page = selectors.services_page(request.account, client, after=cursor.after, before=cursor.before)
    return show(request, client, "clients/services.html", "services",
                {"lines": page.rows, "page": page, "totals": selectors.service_totals(request.account, client)})


@account_view(SECTION)
@require_GET
@by_number
def client_access_history(request, account, client):
    cursor = read_cursor(request.GET)
    page = selectors.access_history(request.account, client, before=cursor.before, after=cursor.after)
    return show(request, client, "clients/access_history.html", "access_history", {"page": page})


def _same_person(request, form, matches=None) -> dict:
    """The page's "This may be the same person as" box: the clients of this account that `matches`
    names (after a PossibleDuplicate), else those shown before when another field sent the form back.
    Showing them is a read of their records, logged in each one's Access history."""
    if matches is None:
        kept = form.kept_matches() if request.method == "POST" else ()
        matches = list(selectors.clients_of(request.account).filter(number__in=kept).order_by("number")) if kept else []
    else:
        form.show_matches(matches)
    for match in matches:
        record_phi_read(request, target_type="client", target_id=match.pk, detail={"tab": "same_person"})
    return {"same_person": matches} if matches else {}


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def client_add(request, account):
    form = forms.ClientAddForm(posted(request))
    extra = {}
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(actor=request.user, account=request.account, data=form.cleaned_data,
                                            different_from=form.different_from(), context=request.audit)
        except services.PossibleDuplicate as exc:
            extra = _same_person(request, form, exc.matches)
        else:
            messages.success(request, f"Added client {client.number}.")
            return redirect("clients:detail", account=account, number=client.number)
    elif form.errors:
        extra = _same_person(request, form)
    return render(request, "clients/form.html", {"form": form, "title": "Add Client", "submit": "Add Client", **extra},
                  status=400 if form.errors or extra else 200)


def _client_initial(client) -> dict:
    initial = {f: forms.as_typed(getattr(client, f)) for f in services.DEMOGRAPHIC_FIELDS}
    for name in forms.ClientForm.phone_fields:
        initial[name] = text.phone_display(initial[name])
    return {**initial, "version": client.version}


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@by_number
def client_edit(request, account, client):
    form = forms.ClientEditForm(posted(request), initial=_client_initial(client))
    extra, status = {}, 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.client_update(actor=request.user, account=request.account, client=client, data=data,
                                   expected_version=data["version"], different_from=form.different_from(),
                                   context=request.audit)
        except EditConflict as exc:
            extra = conflict_context(request, row=client, conflict=exc, form=form, action="client.update",
                                     section=SECTION)
            client, status = selectors.client_get(request.account, client.number), 409
        except services.PossibleDuplicate as exc:
            extra = _same_person(request, form, exc.matches)
            client, status = selectors.client_get(request.account, client.number), 400
        else:
            messages.success(request, " ".join(filter(None, ["Saved the client's demographics.",
                                                             merge_notice(client, form)])))
            return redirect("clients:detail", account=account, number=client.number)
    elif form.errors:
        extra = _same_person(request, form)
    extra.setdefault("form", form)
    return show(request, client, "clients/form.html", "edit",
                 {"title": "Edit Demographics", "submit": "Save", **extra},
                 status=status if status != 200 else (400 if form.errors else 200))


def _status_change(request, account, client, *, form_class, tab: str, title: str, submit: str, apply: Callable):
    form = form_class(posted(request), client=client, initial={"version": client.version, **_today_for(form_class)})
    extra, status = {}, 200
    if request.method == "POST" and form.is_valid():
        try:
            apply(client, form.cleaned_data)
        except EditConflict as exc:
            extra = conflict_context(request, row=client, conflict=exc, form=form, action=f"client.{tab}",
                                     section=SECTION)
            client, status = selectors.client_get(request.account, client.number), 409
        except services.FieldError as exc:
            form.add_error(exc.field, str(exc))
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{title}: done.")
            return redirect("clients:detail", account=account, number=client.number)
    extra.setdefault("form", form)
    if client.is_active != (tab == "discharge"):
        # Not offered: a discharged client is not discharged again, an active one not re-admitted.
        extra["unavailable"] = ("This client is already discharged." if tab == "discharge"
                                else "This client is already active.")
        extra["instead"] = ("readmit", "Re-admit") if tab == "discharge" else ("discharge", "Discharge")
    return show(request, client, "clients/form.html", tab,
                 {"title": title, "submit": submit, **extra},
                 status=status if status != 200 else (400 if form.errors else 200))


def _today_for(form_class) -> dict:
    today = timezone.localdate()
    return {"discharge_date": today} if form_class is forms.DischargeForm else {"intake_date": today}


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@by_number
def client_discharge(request, account, client):
    def apply(client, data):
        services.client_discharge(actor=request.user, account=request.account, client=client,
                                  discharge_date=data["discharge_date"], expected_version=data["version"],
                                  context=request.audit)

    return _status_change(request, account, client, form_class=forms.DischargeForm, tab="discharge", title="Discharge Client",
                          submit="Discharge", apply=apply)


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@by_number
def client_readmit(request, account, client):
    def apply(client, data):
        services.client_readmit(actor=request.user, account=request.account, client=client,
                                intake_date=data["intake_date"], expected_version=data["version"],
                                context=request.audit)

    return _status_change(request, account, client, form_class=forms.ReadmitForm, tab="readmit", title="Re-admit Client",
                          submit="Re-admit", apply=apply)
