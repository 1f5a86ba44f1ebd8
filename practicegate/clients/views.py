"""Pages of the Clients section: thin views that parse input and call one service.

Every page that shows a client's data logs a `phi.view` naming the client through the
PHI-read hook (audit.phi.record_phi_read); the client list logs one naming how many
clients it showed and what kind of search it ran, and keeps the terms searched beside
it (clients.searchlog).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from practicegate.audit.phi import record_phi_read
from practicegate.clients import forms, selectors, services
from practicegate.clients.models import ClientDiagnosis, ClientPolicy, ClientService, SearchKind
from practicegate.clients.searchlog import keep_terms, search_terms_digest
from practicegate.core.decorators import account_view
from practicegate.core.paging import read_cursor
from practicegate.core.sections import Level
from practicegate.core.versioning import EditConflict

SECTION = "clients"


def _posted(request):
    """The POST data, bound even when empty, so an empty POST is refused rather than shown a form."""
    return request.POST if request.method == "POST" else None


def _may_edit(request) -> bool:
    return request.levels.get(SECTION, Level.NONE) >= Level.FULL


def _show(request, client, template: str, tab: str, context: dict | None = None, status: int = 200):
    """Render a page about one client, after logging that it was read (ids and names only)."""
    record_phi_read(request, target_type="client", target_id=client.pk, detail={"tab": tab})
    return render(request, template, {"client": client, "tab": tab, "may_edit": _may_edit(request),
                                      **(context or {})}, status=status)


def _conflict_context(request, client, exc: EditConflict, form, *, action: str, line: str = "",
                      line_obj=None) -> dict:
    """Log the refusal; what _edit_conflict.html shows; the form keeps what this user typed, at the new version."""
    services.client_edit_refused(actor=request.user, account=request.account, client=client, action=action,
                                 expected=exc.expected, current=exc.current, line=line, line_obj=line_obj,
                                 request=request)
    line_id = line_obj.pk if line_obj is not None else None
    edits = selectors.edits_after(request.account, client, version=exc.expected, line=line, line_id=line_id)
    if exc.current is not None:
        data = form.data.copy()
        data["version"] = str(exc.current)
        form = form.remake(data)
        form.is_valid()
    return {"conflict": True, "conflict_edits": edits, "form": form}


def _form(form_class, data, *, initial: dict, **kwargs):
    """Build a form that can be built again from other data (a refused save's, at the new version)."""
    form = form_class(data, initial=initial, **kwargs)
    form.remake = lambda new_data: _form(form_class, new_data, initial=initial, **kwargs)
    return form


# --- The list ----------------------------------------------------------------------------

@account_view(SECTION)
@require_GET
def client_list(request, account):
    search = forms.ClientSearchForm(request.GET)
    params = search.cleaned_data if search.is_valid() else {}
    query, status = params.get("q", ""), params.get("status") or "active"
    cursor = read_cursor(request.GET)
    page = selectors.client_page(request.account, query=query, status=status, after=cursor.after, before=cursor.before)
    parsed = selectors.parse_search(query)
    detail = {"shown": len(page.rows), "status": status, "client_ids": [c.pk for c in page.rows]}
    if parsed.kind:
        detail.update(search=parsed.kind, words=parsed.words, terms_hmac=search_terms_digest(query))
    with transaction.atomic():  # the event and the terms its digest vouches for, together
        event = record_phi_read(request, target_type="client_list", detail=detail)
        if parsed.kind:
            keep_terms([event], query, kind=SearchKind.LIST)
    return render(request, "clients/list.html", {
        "page": page, "query": query, "status": status, "search": search, "may_edit": _may_edit(request)})


# --- One client ------------------------------------------------------------------------

@account_view(SECTION)
@require_GET
def client_detail(request, account, pk):
    client = selectors.client_get(request.account, pk)
    return _show(request, client, "clients/demographics.html", "demographics")


@account_view(SECTION)
@require_GET
def client_diagnoses(request, account, pk):
    client = selectors.client_get(request.account, pk)
    return _show(request, client, "clients/diagnoses.html", "diagnoses",
                 {"lines": selectors.diagnoses_of(request.account, client)})


@account_view(SECTION)
@require_GET
def client_insurance(request, account, pk):
    client = selectors.client_get(request.account, pk)
    return _show(request, client, "clients/insurance.html", "insurance",
                 {"lines": selectors.policies_of(request.account, client)})


@account_view(SECTION)
@require_GET
def client_services(request, account, pk):
    client = selectors.client_get(request.account, pk)
    return _show(request, client, "clients/services.html", "services",
                 {"lines": selectors.services_of(request.account, client)})


@account_view(SECTION)
@require_GET
def client_access_history(request, account, pk):
    client = selectors.client_get(request.account, pk)
    cursor = read_cursor(request.GET)
    page = selectors.access_history(request.account, client, before=cursor.before, after=cursor.after)
    return _show(request, client, "clients/access_history.html", "access_history", {"page": page})


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def client_add(request, account):
    form = forms.ClientForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        client = services.client_create(actor=request.user, account=request.account, data=form.cleaned_data,
                                        request=request)
        messages.success(request, f"Added client {client.number}.")
        return redirect("clients:detail", account=account, pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "title": "Add Client", "submit": "Add Client"},
                  status=400 if form.errors else 200)


def _client_initial(client) -> dict:
    initial = {f: forms.as_typed(getattr(client, f)) for f in services.DEMOGRAPHIC_FIELDS}
    for name in forms.ClientForm.phone_fields:
        initial[name] = forms.phone_display(initial[name])
    return {**initial, "version": client.version}


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def client_edit(request, account, pk):
    client = selectors.client_get(request.account, pk)
    form = _form(forms.ClientEditForm, _posted(request), initial=_client_initial(client))
    extra, status = {}, 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.client_update(actor=request.user, account=request.account, client=client, data=data,
                                   expected_version=data["version"], request=request)
        except EditConflict as exc:
            client = selectors.client_get(request.account, pk)
            extra, status = _conflict_context(request, client, exc, form, action="client.update"), 409
        else:
            messages.success(request, "Saved the client's demographics.")
            return redirect("clients:detail", account=account, pk=client.pk)
    extra.setdefault("form", form)
    return _show(request, client, "clients/form.html", "edit",
                 {"title": "Edit Demographics", "submit": "Save", **extra},
                 status=status if status != 200 else (400 if form.errors else 200))


def _status_change(request, account, pk, *, form_class, tab: str, title: str, submit: str, apply: Callable):
    client = selectors.client_get(request.account, pk)
    form = _form(form_class, _posted(request), client=client,
                 initial={"version": client.version, **_today_for(form_class)})
    extra, status = {}, 200
    if request.method == "POST" and form.is_valid():
        try:
            apply(client, form.cleaned_data)
        except EditConflict as exc:
            client = selectors.client_get(request.account, pk)
            extra, status = _conflict_context(request, client, exc, form, action=f"client.{tab}"), 409
        except services.FieldError as exc:
            form.add_error(exc.field, str(exc))
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{title}: done.")
            return redirect("clients:detail", account=account, pk=client.pk)
    extra.setdefault("form", form)
    if client.is_active != (tab == "discharge"):
        # Not offered: a discharged client is not discharged again, an active one not re-admitted.
        extra["unavailable"] = ("This client is already discharged." if tab == "discharge"
                                else "This client is already active.")
        extra["instead"] = ("readmit", "Re-admit") if tab == "discharge" else ("discharge", "Discharge")
    return _show(request, client, "clients/form.html", tab,
                 {"title": title, "submit": submit, **extra},
                 status=status if status != 200 else (400 if form.errors else 200))


def _today_for(form_class) -> dict:
    today = timezone.localdate()
    return {"discharge_date": today} if form_class is forms.DischargeForm else {"intake_date": today}


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def client_discharge(request, account, pk):
    def apply(client, data):
        services.client_discharge(actor=request.user, account=request.account, client=client,
                                  discharge_date=data["discharge_date"], expected_version=data["version"],
                                  request=request)

    return _status_change(request, account, pk, form_class=forms.DischargeForm, tab="discharge", title="Discharge Client",
                          submit="Discharge", apply=apply)


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def client_readmit(request, account, pk):
    def apply(client, data):
        services.client_readmit(actor=request.user, account=request.account, client=client,
                                intake_date=data["intake_date"], expected_version=data["version"],
                                request=request)

    return _status_change(request, account, pk, form_class=forms.ReadmitForm, tab="readmit", title="Re-admit Client",
                          submit="Re-admit", apply=apply)


# --- Lines: diagnoses, insurance policies, services -------------------------------------

@dataclass(frozen=True)
class LineKind:
    key: str  # "diagnosis", "policy", "service": action codes and ClientChange.line
    tab: str  # the client's tab that lists them (a URL name)
    noun: str
    model: type
    add_form: type
    edit_form: type
    add: Callable  # (request, client, data) -> line
    update: Callable
    end: Callable | None
    void: Callable
    edit_fields: tuple[str, ...]


def _add_diagnosis(request, client, data):
    return services.client_diagnosis_add(actor=request.user, account=request.account, client=client,
                                         code=data["code"], is_primary=data["is_primary"],
                                         start_date=data["start_date"], end_date=data.get("end_date"),
                                         request=request)


def _add_policy(request, client, data):
    return services.client_policy_add(actor=request.user, account=request.account, client=client,
                                      payer=data["payer"], data=data, request=request)


def _add_service(request, client, data):
    return services.client_service_add(actor=request.user, account=request.account, client=client,
                                       billing_code=data["billing_code"], data=data, request=request)


def _bind(fn, **names):
    """Adapt a service to (request, client, line, data): the line views' one calling shape."""
    def call(request, client, line, data):
        extra = {arg: data[field] for arg, field in names.items()}
        return fn(actor=request.user, account=request.account, client=client, line=line,
                  expected_version=data["version"], request=request, **extra)
    return call


def _bind_update(fn):
    def call(request, client, line, data):
        return fn(actor=request.user, account=request.account, client=client, line=line, data=data,
                  expected_version=data["version"], request=request)
    return call


LINE_KINDS = {
    "diagnosis": LineKind(
        "diagnosis", "diagnoses", "diagnosis", ClientDiagnosis, forms.DiagnosisAddForm, forms.DiagnosisEditForm,
        _add_diagnosis, _bind_update(services.client_diagnosis_update),
        _bind(services.client_diagnosis_end, end_date="end_date"),
        _bind(services.client_diagnosis_void, reason="void_reason"),
        ("is_primary", "start_date", "end_date")),
    "policy": LineKind(
        "policy", "insurance", "insurance policy", ClientPolicy, forms.PolicyAddForm, forms.PolicyEditForm,
        _add_policy, _bind_update(services.client_policy_update),
        _bind(services.client_policy_end, end_date="end_date"),
        _bind(services.client_policy_void, reason="void_reason"),
        services.POLICY_FIELDS),
    "service": LineKind(
        "service", "services", "service", ClientService, forms.ServiceAddForm, forms.ServiceEditForm,
        _add_service, _bind_update(services.client_service_update), None,
        _bind(services.client_service_void, reason="void_reason"),
        ("service_date", "units", "fee", *services.POINTERS)),
}


def build_line_views(kind: LineKind) -> dict:
    """The add, edit, end and void pages of one kind of line, in the Clients section."""

    def back(account, client):
        return redirect(f"clients:{kind.tab}", account=account, pk=client.pk)

    def handle(request, account, pk, *, client, form, title, submit, act, line=None, done: str, verb: str = "add"):
        extra, status = {}, 200
        if request.method == "POST" and form.is_valid():
            try:
                act(client, form.cleaned_data)
            except EditConflict as exc:
                client = selectors.client_get(request.account, pk)
                extra, status = _conflict_context(request, client, exc, form, action=f"client.{kind.key}_{verb}",
                                                  line=kind.key, line_obj=line), 409
            except services.FieldError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            except services.ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done)
                return back(account, client)
        extra.setdefault("form", form)
        return _show(request, client, "clients/form.html", f"{kind.key}_form",
                     {"title": title, "submit": submit, "line": line, "kind": kind,
                      "back_tab": kind.tab, **extra},
                     status=status if status != 200 else (400 if form.errors else 200))

    @account_view(SECTION, level=Level.FULL)
    @require_http_methods(["GET", "POST"])
    def add_view(request, account, pk):
        client = selectors.client_get(request.account, pk)
        form = _form(kind.add_form, _posted(request), client=client, account=request.account,
                     initial=_line_initial(kind, client))
        return handle(request, account, pk, client=client, form=form, title=f"Add {kind.noun.title()}",
                      submit=f"Add {kind.noun.title()}", done=f"Added the {kind.noun}.",
                      act=lambda c, data: kind.add(request, c, data))

    def line_form(request, pk, line_pk, form_class, initial):
        client = selectors.client_get(request.account, pk)
        line = selectors.line_get(request.account, client, kind.model, line_pk)
        kwargs = {"client": client, "account": request.account} if form_class is kind.edit_form else {}
        if form_class is forms.EndForm:
            kwargs = {"line": line}
        form = _form(form_class, _posted(request), initial={**initial(line), "version": line.version}, **kwargs)
        return client, line, form

    @account_view(SECTION, level=Level.FULL)
    @require_http_methods(["GET", "POST"])
    def edit_view(request, account, pk, line_pk):
        client, line, form = line_form(request, pk, line_pk, kind.edit_form,
                               lambda ln: {f: forms.as_typed(getattr(ln, f)) for f in kind.edit_fields})
        return handle(request, account, pk, client=client, form=form, line=line, verb="update", title=f"Edit {kind.noun.title()}",
                      submit="Save", done=f"Saved the {kind.noun}.",
                      act=lambda c, data: kind.update(request, c, line, data))

    @account_view(SECTION, level=Level.FULL)
    @require_http_methods(["GET", "POST"])
    def end_view(request, account, pk, line_pk):
        client, line, form = line_form(request, pk, line_pk, forms.EndForm,
                               lambda ln: {"end_date": ln.end_date or timezone.localdate()})
        return handle(request, account, pk, client=client, form=form, line=line, verb="end", title=f"End {kind.noun.title()}",
                      submit="End", done=f"Ended the {kind.noun}.",
                      act=lambda c, data: kind.end(request, c, line, data))

    @account_view(SECTION, level=Level.FULL)
    @require_http_methods(["GET", "POST"])
    def void_view(request, account, pk, line_pk):
        client, line, form = line_form(request, pk, line_pk, forms.VoidForm, lambda ln: {})
        return handle(request, account, pk, client=client, form=form, line=line, verb="void", title=f"Void {kind.noun.title()}",
                      submit="Void", done=f"Voided the {kind.noun}; it stays listed as voided.",
                      act=lambda c, data: kind.void(request, c, line, data))

    views = {"add": add_view, "edit": edit_view, "void": void_view}
    if kind.end is not None:
        views["end"] = end_view
    return views


def _line_initial(kind: LineKind, client) -> dict:
    today = timezone.localdate()
    return {"diagnosis": {"start_date": today}, "policy": {"effective_date": today},
            "service": {"service_date": today}}[kind.key]
