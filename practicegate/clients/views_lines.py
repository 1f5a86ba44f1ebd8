"""The lines of a client's record: add, edit, end and void pages of diagnoses, insurance
policies and services given, one set of views taking the kind of line from the URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from practicegate.clients import forms, selectors, services
from practicegate.clients.models import ClientDiagnosis, ClientPolicy, ClientService
from practicegate.clients.views import SECTION, by_number, posted, show
from practicegate.core.decorators import account_view
from practicegate.core.sections import Level
from practicegate.records.conflicts import conflict_context, merge_notice
from practicegate.records.editing import EditConflict


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
                                         context=request.audit)


def _add_policy(request, client, data):
    return services.client_policy_add(actor=request.user, account=request.account, client=client,
                                      payer=data["payer"], data=data, context=request.audit)


def _add_service(request, client, data):
    return services.client_service_add(actor=request.user, account=request.account, client=client,
                                       billing_code=data["billing_code"], data=data, context=request.audit)


def _bind(fn, **names):
    """Adapt a service to (request, client, line, data): the line views' one calling shape."""
    def call(request, client, line, data):
        extra = {arg: data[field] for arg, field in names.items()}
        return fn(actor=request.user, account=request.account, client=client, line=line,
                  expected_version=data["version"], context=request.audit, **extra)
    return call


def _bind_update(fn):
    def call(request, client, line, data):
        return fn(actor=request.user, account=request.account, client=client, line=line, data=data,
                  expected_version=data["version"], context=request.audit)
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


def _line_kind(key: str, *, verb: str = "") -> LineKind:
    """The kind of line the URL names; 404 for an unknown one, or one that cannot be ended."""
    kind = LINE_KINDS.get(key)
    if kind is None or (verb == "end" and kind.end is None):
        raise Http404("No such kind of line")
    return kind


def _handle(request, account, *, kind: LineKind, client, form, title, submit, act, line=None, done: str,
            verb: str = "add"):
    extra, status = {}, 200
    if request.method == "POST" and form.is_valid():
        try:
            act(client, form.cleaned_data)
        except EditConflict as exc:
            extra = conflict_context(request, row=line if line is not None else client, conflict=exc, form=form,
                                     action=f"client.{kind.key}_{verb}", section=SECTION)
            client, status = selectors.client_get(request.account, client.number), 409
        except services.FieldError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            row = line if line is not None else client
            messages.success(request, " ".join(filter(None, [done, merge_notice(row, form)])))
            return redirect(f"clients:{kind.tab}", account=account, number=client.number)
    extra.setdefault("form", form)
    return show(request, client, "clients/form.html", f"{kind.key}_form",
                {"title": title, "submit": submit, "line": line, "kind": kind, "back_tab": kind.tab, **extra},
                status=status if status != 200 else (400 if form.errors else 200))


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@by_number
def line_add(request, account, client, kind):
    kind = _line_kind(kind)
    form = kind.add_form(posted(request), client=client, account=request.account,
                         initial=_line_initial(kind, client))
    return _handle(request, account, kind=kind, client=client, form=form, title=f"Add {kind.noun.title()}",
                   submit=f"Add {kind.noun.title()}", done=f"Added the {kind.noun}.",
                   act=lambda c, data: kind.add(request, c, data))


def _line_form(request, kind: LineKind, client, line_pk, form_class, initial: dict | Callable):
    line = selectors.line_get(request.account, client, kind.model, line_pk)
    kwargs = {"client": client, "account": request.account} if form_class is kind.edit_form else {}
    if form_class is forms.EndForm:
        kwargs = {"line": line}
    form = form_class(posted(request), initial={**initial(line), "version": line.version}, **kwargs)
    return client, line, form


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@by_number
def line_edit(request, account, client, line_pk, kind):
    kind = _line_kind(kind)
    client, line, form = _line_form(request, kind, client, line_pk, kind.edit_form,
                                    lambda ln: {f: forms.as_typed(getattr(ln, f)) for f in kind.edit_fields})
    return _handle(request, account, kind=kind, client=client, form=form, line=line, verb="update",
                   title=f"Edit {kind.noun.title()}", submit="Save", done=f"Saved the {kind.noun}.",
                   act=lambda c, data: kind.update(request, c, line, data))


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@by_number
def line_end(request, account, client, line_pk, kind):
    kind = _line_kind(kind, verb="end")
    client, line, form = _line_form(request, kind, client, line_pk, forms.EndForm,
                                    lambda ln: {"end_date": ln.end_date or timezone.localdate()})
    return _handle(request, account, kind=kind, client=client, form=form, line=line, verb="end",
                   title=f"End {kind.noun.title()}", submit="End", done=f"Ended the {kind.noun}.",
                   act=lambda c, data: kind.end(request, c, line, data))


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@by_number
def line_void(request, account, client, line_pk, kind):
    kind = _line_kind(kind)
    client, line, form = _line_form(request, kind, client, line_pk, forms.VoidForm, lambda ln: {})
    return _handle(request, account, kind=kind, client=client, form=form, line=line, verb="void",
                   title=f"Void {kind.noun.title()}", submit="Void",
                   done=f"Voided the {kind.noun}; it stays listed as voided.",
                   act=lambda c, data: kind.void(request, c, line, data))


VIEWS = {"add": line_add, "edit": line_edit, "end": line_end, "void": line_void}


def _line_initial(kind: LineKind, client) -> dict:
    today = timezone.localdate()
    return {"diagnosis": {"start_date": today}, "policy": {"effective_date": today},
            "service": {"service_date": today}}[kind.key]
