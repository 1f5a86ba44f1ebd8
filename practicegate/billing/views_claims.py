"""Claim pages: the list, one claim with what the scrubber lists, its edit page, marking it
ready, and correcting a sent claim. Each page names clients, so each logs a `phi.view`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practicegate.audit.phi import record_phi_read
from practicegate.billing import claims as services
from practicegate.billing import forms, selectors
from practicegate.billing.models import ClaimStatus
from practicegate.billing.scrubber import problems_for, problems_of
from practicegate.billing.views import SECTION, may_edit, posted
from practicegate.core.decorators import account_view
from practicegate.core.errors import ServiceError
from practicegate.core.paging import read_cursor
from practicegate.core.sections import Level
from practicegate.records.conflicts import changed_meanwhile, conflict_context, refuse_stale
from practicegate.records.editing import EditConflict


@account_view(SECTION)
@require_GET
def claim_list(request, account):
    filters = forms.ClaimFilterForm(request.GET)
    status = filters.cleaned_data.get("status", "") if filters.is_valid() else ""
    cursor = read_cursor(request.GET)
    page = selectors.claim_page(request.account, status=status, after=cursor.after, before=cursor.before)
    drafts = [c for c in page.rows if c.status == ClaimStatus.DRAFT]
    problems = problems_for(request.account, drafts) if drafts else {}
    record_phi_read(request, target_type="claim_list",
                    detail={"shown": len(page.rows), "status": status,
                            "client_ids": sorted({c.client_id for c in page.rows})})
    rows = [(claim, len(problems.get(claim.pk, ()))) for claim in page.rows]
    return render(request, "billing/claims.html", {
        "filters": filters, "status": status, "rows": rows, "page": page, "may_edit": may_edit(request),
        "filter_query": f"status={status}" if status else ""})


def _show(request, claim, template: str, context: dict, status: int = 200):
    record_phi_read(request, target_type="client", target_id=claim.client_id,
                    detail={"tab": "claim", "claim": claim.number})
    return render(request, template, {"claim": claim, "may_edit": may_edit(request), **context}, status=status)


def _refused(request, title: str, message: str):
    """A rule refused the change: say why, change nothing (400)."""
    return render(request, "core/error.html", {"title": title, "message": message}, status=400)


@account_view(SECTION)
@require_GET
def claim_detail(request, account, number):
    claim = selectors.claim_by_number(request.account, number)
    lines = selectors.claim_lines(request.account, claim)
    problems = [(p, request.levels.get(p.needs[0], 0) >= p.needs[1])
                for p in (problems_of(claim) if claim.status in services.EDITABLE else [])]
    correction = forms.CorrectionForm(initial={"version": claim.version, "frequency": "7"})
    return _show(request, claim, "billing/claim.html", {
        "lines": lines, "problems": problems, "correction": correction,
        "diagnoses": list(enumerate(claim.diagnosis_codes, start=1)),
        "editable": claim.status in services.EDITABLE, "correctable": claim.status in services.CORRECTABLE})


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def claim_edit(request, account, number):
    claim = selectors.claim_by_number(request.account, number)
    lines = selectors.claim_lines(request.account, claim)
    initial = {"place_of_service": claim.place_of_service, "prior_authorization": claim.prior_authorization,
               "version": claim.version}
    form = forms.ClaimEditForm(posted(request), initial=initial, lines=lines, diagnoses=claim.diagnosis_codes)
    extra, status = {}, 200
    if claim.status not in services.EDITABLE:
        if request.method == "POST":
            return _refused(request, "Not saved", "Only a draft or ready claim can be changed.")
        messages.error(request, "Only a draft or ready claim can be changed.")
        return redirect("billing:claim", account=account, number=number)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problems = services.claim_update(actor=request.user, account=request.account, claim=claim,
                                             data=data, lines=data["lines"], expected_version=data["version"],
                                             context=request.audit)
        except EditConflict as exc:
            extra = conflict_context(request, row=claim, conflict=exc, form=form, action="claim.edited",
                                     section=SECTION)
            status = 409
        except ServiceError as exc:
            return _refused(request, "Not saved", str(exc))
        else:
            note = " It is not ready yet: see what is missing below." if problems else ""
            messages.success(request, f"Saved claim {claim.number}.{note}")
            return redirect("billing:claim", account=account, number=number)
    extra.setdefault("form", form)
    return _show(request, claim, "billing/claim_edit.html",
                 {"diagnoses": list(enumerate(claim.diagnosis_codes, start=1)), **extra},
                 status=status if status != 200 else (400 if form.errors else 200))


@account_view(SECTION)
@require_POST
def claim_ready(request, account, number):
    claim = selectors.claim_by_number(request.account, number)
    try:
        problems = services.claim_mark_ready(actor=request.user, account=request.account, claim=claim,
                                             context=request.audit)
    except ServiceError as exc:
        return _refused(request, "Not marked ready", str(exc))
    if problems:
        messages.error(request, f"Claim {claim.number} is not ready: fix what is listed below first.")
    else:
        messages.success(request, f"Claim {claim.number} is ready to send.")
    return redirect("billing:claim", account=account, number=number)


@account_view(SECTION)
@require_POST
def claim_correct(request, account, number):
    claim = selectors.claim_by_number(request.account, number)
    form = forms.CorrectionForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Not corrected", " ".join(str(e) for errors in form.errors.values() for e in errors))
    action = "claim.replaced" if form.cleaned_data["frequency"] == "7" else "claim.voided"
    try:
        new = services.claim_correct(actor=request.user, account=request.account, claim=claim,
                                     frequency=form.cleaned_data["frequency"], reference=form.cleaned_data["reference"],
                                     expected_version=form.cleaned_data["version"], context=request.audit)
    except EditConflict as exc:
        edits = refuse_stale(request, row=claim, conflict=exc, action=action, section=SECTION)
        messages.error(request, changed_meanwhile("corrected", "claim", edits))
        return redirect("billing:claim", account=account, number=number)
    except ServiceError as exc:
        return _refused(request, "Not corrected", str(exc))
    messages.success(request, f"Made claim {new.number}, which {'replaces' if new.frequency == '7' else 'voids'} "
                              f"claim {claim.number}.")
    return redirect("billing:claim", account=account, number=new.number)
