"""Clients → Export to CSV and Import from CSV (Full Access only)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practicegate.audit.phi import record_phi_read
from practicegate.clients import csvio, imports
from practicegate.core.decorators import account_view
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level
from practicegate.masterfiles.forms import ImportUploadForm

SECTION = "clients"
STATUSES = ("active", "discharged", "all")


@account_view(SECTION, level=Level.FULL)
@require_GET
def client_export(request, account):
    status = request.GET.get("status", "all")
    status = status if status in STATUSES else "all"
    rows = imports.client_export(account=request.account, status=status, request=request)
    # AccountMiddleware keeps the body's iteration inside the account's scope.
    lines = csvio.export_lines(rows.iterator(chunk_size=2000))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{request.account.slug}-clients-{day}.csv"'
    return response


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def client_import(request, account):
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    preview = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = imports.client_import_preview(actor=request.user, account=request.account, data=upload.read(),
                                                filename=upload.name or "", request=request)
    elif posted:
        imports.client_import_refused(actor=request.user, account=request.account, request=request,
                                      reason=" ".join(m for e in form.errors.values() for m in e))
    if preview is not None and preview.token:
        # Kept: show it on a page of its own, so Back and reload never post the file again.
        return redirect(f"{reverse('clients:import-preview', kwargs={'account': account})}"
                        f"?{urlencode({'token': preview.token})}")
    status = 400 if form.errors or (preview is not None and not preview.ok) else 200
    return _page(request, form, preview, status=status)


def _page(request, form, preview, *, status: int, expired: str = ""):
    return render(request, "clients/import.html", {
        "form": form, "preview": preview, "columns": csvio.IMPORT_COLUMNS, "required": csvio.REQUIRED,
        "expired": expired}, status=status)


@account_view(SECTION, level=Level.FULL)
@require_GET
def client_import_preview(request, account):
    if not request.GET.get("token"):  # nothing to preview (e.g. switched here from another account)
        return _page(request, ImportUploadForm(), None, status=200)  # the empty upload form, no client data
    preview = imports.client_import_kept(actor=request.user, account=request.account,
                                         token=request.GET.get("token", ""))
    if preview is None:
        return _page(request, ImportUploadForm(), None, status=400,
                     expired="This preview has expired, was already imported or is not yours. Upload the file again.")
    # The preview shows rows of the file (names, dates of birth): a read of PHI.
    record_phi_read(request, target_type="client_import",
                    detail={"new": len(preview.new_rows), "existing": len(preview.existing_rows)})
    return _page(request, ImportUploadForm(), preview, status=200 if preview.ok else 400)


@account_view(SECTION, level=Level.FULL)
@require_POST
def client_import_confirm(request, account):
    try:
        counts = imports.client_import_confirm(actor=request.user, account=request.account,
                                               token=request.POST.get("token", ""), request=request)
    except ServiceError as exc:
        imports.client_import_refused(actor=request.user, account=request.account, request=request,
                                      reason=str(exc))
        messages.error(request, str(exc))
        return redirect("clients:import", account=account)
    messages.success(request, f"Imported {counts['added']} new client{'s' if counts['added'] != 1 else ''}; "
                              f"{counts['existing']} were already here and were left unchanged.")
    return redirect("clients:list", account=account)
