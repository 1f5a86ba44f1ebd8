"""Copy Codes to Another Account: choose (start), Continue (preview), Copy Now (run).

The route declares Account Access at View Only for every method: the page is
an entry of the Account Access menu, and it changes nothing in the account in
the URL. What it may copy depends on the chosen files' levels in the Copy From
and Copy To accounts, which the copy service checks (and logs) on Continue and
again on Copy Now. Demanding Full Access to Account Access here would be the
wrong gate: that level manages usernames, not codes.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from practicegate.core.decorators import account_view
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level
from practicegate.masterfiles.copy import CopyRefused, codes_copy, copy_plan, copy_preview
from practicegate.masterfiles.copy_sql import FILES
from practicegate.masterfiles.forms_copy import CopyForm, CopyNowForm
from practicegate.masterfiles.models import DiagnosisCode


def _start(request, form, *, status=200, refusal=""):
    return render(request, "masterfiles/copy_start.html", {"form": form, "refusal": refusal}, status=status)


def _refused(request, form, error: ServiceError):
    return _start(request, form, status=403 if isinstance(error, CopyRefused) else 400, refusal=str(error))


def _form_fields(file_key: str) -> dict:
    """The add/edit form's fields of a file, so the preview uses the labels people know."""
    return FILES[file_key].kind.form_class.base_fields


def _show(file_key: str, field: str, value, form_field) -> str:
    if file_key == "diagnosis" and field == "code":
        return DiagnosisCode(code=str(value)).display_code
    if field == "active":
        return "Active" if value else "Inactive"
    if value in (None, ""):
        return "(empty)"
    choices = dict(getattr(form_field, "choices", None) or ())
    return str(choices.get(value, value))


def _side_by_side(file_key: str, example: dict) -> dict:
    """One differing row: what it is (its code, or a payer's name) and only the fields that differ."""
    form_fields = _form_fields(file_key)
    values = dict(zip(example["fields"], zip(example["source"], example["destination"], strict=True),
                      strict=True))
    rows = []
    for name, (src, dst) in values.items():
        form_field = form_fields.get(name)
        src_text, dst_text = _show(file_key, name, src, form_field), _show(file_key, name, dst, form_field)
        if src_text != dst_text:
            label = form_field.label if form_field is not None else name.replace("_", " ").capitalize()
            rows.append({"label": label, "source": src_text, "destination": dst_text})
    if "code" in values:
        title = _show(file_key, "code", values["code"][0], form_fields.get("code"))
    else:
        title = str(values["name"][0])
    return {"title": title, "rows": rows}


@account_view("account_access", level=Level.VIEW)
@require_GET
def start(request, account):
    # Most often the codes were entered in the account the username is in now.
    return _start(request, CopyForm(user=request.user, initial={"source": request.account.slug}))


@account_view("account_access", level=Level.VIEW)
@require_GET
def preview(request, account):
    if not request.GET:  # opened without choices (the provider dropdown): start from the choices
        return redirect("copy:start", account=request.account.slug)
    form = CopyForm(request.GET, user=request.user)
    if not form.is_valid():
        return _start(request, form, status=400)
    data = form.cleaned_data
    try:
        plan = copy_plan(actor=request.user, source_slug=data["source"], destination_slugs=data["destinations"],
                         files=data["files"], context=request.audit, log_account=request.account)
    except ServiceError as error:
        return _refused(request, form, error)
    destinations = copy_preview(plan)
    for dest in destinations:
        for f in dest.files:
            f.shown = [_side_by_side(f.key, example) for example in f.examples]
    now_form = CopyNowForm(initial={**data, "differences": "keep"}, user=request.user)
    return render(request, "masterfiles/copy_preview.html",
                  {"plan": plan, "destinations": destinations, "form": now_form,
                   "any_different": any(d.different for d in destinations)})


@account_view("account_access", level=Level.VIEW)
@require_POST
def run(request, account):
    form = CopyNowForm(request.POST, user=request.user)
    if not form.is_valid():
        return _start(request, form, status=400)
    data = form.cleaned_data
    try:
        results = codes_copy(actor=request.user, source_slug=data["source"],
                             destination_slugs=data["destinations"], files=data["files"],
                             replace_different=data["differences"] == "replace",
                             context=request.audit, log_account=request.account)
    except ServiceError as error:
        return _refused(request, CopyForm(request.POST, user=request.user), error)
    source_name = dict(form.fields["source"].choices).get(data["source"], data["source"])
    # Post/redirect/get: the result is a page of its own, kept for this account in the session.
    shown = request.session.get(RESULTS_KEY, {})
    shown[request.account.slug] = _result_summary(results, source_name, data["differences"] == "replace")
    request.session[RESULTS_KEY] = shown
    return redirect("copy:done", account=request.account.slug)


RESULTS_KEY = "copy_results"


def _result_summary(results, source_name: str, replace: bool) -> dict:
    return {"source_name": source_name, "replace": replace, "destinations": [
        {"name": dest.account.name, "refused": dest.refused,
         "files": [{"key": f.key, "label": f.label, **f.counts()} for f in dest.files]}
        for dest in results]}


@account_view("account_access", level=Level.VIEW)
@require_GET
def done(request, account):
    """The last Copy Now's result; without one (another account, a new session), the start page."""
    summary = request.session.get(RESULTS_KEY, {}).get(request.account.slug)
    if summary is None:
        return redirect("copy:start", account=request.account.slug)
    return render(request, "masterfiles/copy_result.html", summary)
