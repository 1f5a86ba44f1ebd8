"""Claim batches in one account: the list, Create claim batch, a batch, its file, its acknowledgments."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from practicegate.audit.phi import record_phi_reads
from practicegate.audit.services import Entry
from practicegate.billing import acks, batch_selectors, batches
from practicegate.billing.forms_batches import AckUploadForm, BatchNewForm
from practicegate.core.decorators import account_view
from practicegate.core.errors import ServiceError
from practicegate.core.paging import read_cursor
from practicegate.core.sections import Level

SECTION = batches.SECTION


def _batch_url(slug: str, number: int) -> str:
    return reverse("billing:batch", kwargs={"account": slug, "batch_number": number})


def by_batch_number(view):
    """Give `view` the batch its address names by number, in the URL's account only (else 404)."""
    @wraps(view)
    def wrapper(request, account, batch_number, **kwargs):
        batch = batch_selectors.batch_by_number(request.account, batch_number)
        if batch is None:
            raise Http404("No such claim batch")
        return view(request, account, batch, **kwargs)

    return wrapper


@account_view(SECTION)
@require_GET
def batch_list(request, account):
    cursor = read_cursor(request.GET)
    page = batch_selectors.batches_page(request.account, after=cursor.after, before=cursor.before)
    return render(request, "billing/batches.html", {
        "page": page, "may_edit": request.levels.get(SECTION, Level.NONE) >= Level.FULL,
        "several_accounts": len(getattr(request, "my_accounts", None) or ()) > 1})


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def batch_new(request, account):
    houses = batch_selectors.active_clearinghouses([request.account.pk])
    form = BatchNewForm(request.POST if request.method == "POST" else None, clearinghouses=houses)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            batch = batches.batch_create(actor=request.user, account=request.account,
                                         clearinghouse=form.cleaned_data["clearinghouse"],
                                         accounts=[request.account], context=request.audit)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Claim batch {batch.number} holds {batch.claim_count} "
                                      f"claim{'' if batch.claim_count == 1 else 's'}. Download its file to send it.")
            return redirect(_batch_url(request.account.slug, batch.number))
    return render(request, "billing/batch_new.html", {
        "form": form, "clearinghouses": houses, "error": error,
        "clearinghouses_url": _url_if_installed("billing:clearinghouses", account=request.account.slug),
        "ready": batch_selectors.ready_claim_count(request.account)},
        status=400 if request.method == "POST" else 200)


def _url_if_installed(name: str, **kwargs) -> str | None:
    """The URL of a billing page another part of the section serves, or None without it."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _claim_url(slug: str, number: int) -> str | None:
    return _url_if_installed("billing:claim", account=slug, number=number)


@account_view(SECTION)
@require_GET
@by_batch_number
def batch_detail(request, account, batch):
    view = batch_selectors.batch_view(request.user, batch, context=request.audit)
    rows = [(group, [(claim, _claim_url(group.account.slug, claim.number)) for claim in group.claims])
            for group in view.shown]
    if view.shown:  # client names: a read of PHI in each account shown
        record_phi_reads(request, [
            Entry(group.account, target_type=batches.TARGET, target_id=batch.pk,
                  detail={"batch": batch.number, "submitter_account_id": batch.account_id,
                          "claim_ids": [c.pk for c in group.claims]})
            for group in view.shown], section=SECTION)
    may_edit = request.levels.get(SECTION, Level.NONE) >= Level.FULL
    return render(request, "billing/batch.html", {
        "batch": batch, "rows": rows, "view": view, "may_edit": may_edit,
        "ack_form": AckUploadForm() if may_edit else None})


@account_view(SECTION, level=Level.FULL)
@require_GET
@by_batch_number
def batch_download(request, account, batch):
    try:
        text = batches.batch_download(actor=request.user, account=request.account, batch=batch,
                                      context=request.audit)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(_batch_url(request.account.slug, batch.number))
    response = HttpResponse(text, content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = (f'attachment; filename="{request.account.slug}-batch-{batch.number}'
                                       f'-{batch.control_number:09d}.837"')
    response["Cache-Control"] = "no-store"
    return response


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@by_batch_number
def ack_upload(request, account, batch):
    form = AckUploadForm(request.POST if request.method == "POST" else None,
                         request.FILES if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = acks.ack_upload(actor=request.user, account=request.account, batch=batch,
                                      text=form.cleaned_data["file"], context=request.audit)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _outcome_text(outcome))
            return redirect(_batch_url(request.account.slug, batch.number))
    return render(request, "billing/ack_upload.html", {"batch": batch, "form": form, "error": error},
                  status=400 if request.method == "POST" else 200)


def _outcome_text(outcome) -> str:
    parts = [f"{len(outcome.accepted)} accepted", f"{len(outcome.rejected)} rejected"]
    if outcome.noted:
        parts.append(f"{len(outcome.noted)} given a message")
    return f"Acknowledgment ({outcome.ack.kind}) recorded: claims {', '.join(parts)}."
