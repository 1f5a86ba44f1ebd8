"""The import pages of every importer: upload, preview of a kept file, confirm.

One set of module-level views; each importer's routes (import_routes) pass its key and
carry its section, so the access rule and the activity log see the section of the URL.
"""

from __future__ import annotations

from functools import partial, update_wrapper
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practicegate.accounts.services import ServiceError
from practicegate.audit.phi import record_phi_read
from practicegate.core.decorators import account_view
from practicegate.core.params import param
from practicegate.core.sections import Level
from practicegate.records import imports
from practicegate.records.forms import ImportUploadForm
from practicegate.records.imports import IMPORTERS, Importer

EXPIRED = "This preview has expired, was already imported or is not yours. Upload the file again."


def _page(request, importer: Importer, form, preview, *, status: int = 200, expired: str = ""):
    return render(request, "records/import.html", {
        "importer": importer, "form": form, "preview": preview, "expired": expired,
        "list_url": importer.url_name("list"), "confirm_url": importer.url_name("import-confirm")},
        status=status)


@require_http_methods(["GET", "POST"])
def import_upload(request, account, kind: str):
    importer = IMPORTERS[kind]
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    preview = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = imports.import_preview(actor=request.user, account=request.account, importer=importer,
                                         data=upload.read(), filename=upload.name or "", context=request.audit)
    elif posted:
        # Refused before any row was read (too large, no file): still an attempt worth logging.
        imports.import_refused(actor=request.user, account=request.account, importer=importer,
                               context=request.audit, reason=" ".join(m for e in form.errors.values() for m in e))
    if preview is not None and preview.token:
        # Kept: show it on a page of its own, so Back and reload never post the file again.
        return redirect(f"{reverse(importer.url_name('import-preview'), kwargs={'account': account})}"
                        f"?{urlencode({'token': preview.token})}")
    status = 400 if form.errors or (preview is not None and not preview.ok) else 200
    return _page(request, importer, form, preview, status=status)


@require_GET
def import_preview(request, account, kind: str):
    importer = IMPORTERS[kind]
    token = param(request.GET, "token")
    if not token:  # nothing to preview (e.g. switched here from another account): the empty form
        return _page(request, importer, ImportUploadForm(), None)
    preview = imports.import_kept(actor=request.user, account=request.account, importer=importer, token=token)
    if preview is None:
        return _page(request, importer, ImportUploadForm(), None, status=400, expired=EXPIRED)
    if importer.shows_phi:  # the rows of the file (names, dates of birth) are on the page
        record_phi_read(request, target_type=importer.target_type,
                        detail={"new": len(preview.new_rows), "existing": len(preview.existing_rows)})
    return _page(request, importer, ImportUploadForm(), preview, status=200 if preview.ok else 400)


@require_POST
def import_confirm(request, account, kind: str):
    importer = IMPORTERS[kind]
    try:
        counts = imports.import_confirm(actor=request.user, account=request.account, importer=importer,
                                        token=param(request.POST, "token"), context=request.audit)
    except ServiceError as exc:
        imports.import_refused(actor=request.user, account=request.account, importer=importer,
                               context=request.audit, reason=str(exc))
        messages.error(request, str(exc))
        return redirect(importer.url_name("import"), account=account)
    messages.success(request, importer.done_message(counts))
    return redirect(importer.url_name("list"), account=account)


def _bound(view, importer: Importer):
    """`view` for one importer: its own object, so it can carry that importer's section."""
    bound = update_wrapper(partial(view, kind=importer.key), view)
    # Uploading, previewing and confirming are for Full Access only, whatever the method.
    return account_view(importer.section, level=Level.FULL)(bound)


def import_routes(importer: Importer, prefix: str = "") -> list:
    """The upload, preview and confirm routes of `importer` under `prefix` (its URL names kept)."""
    return [
        path(f"{prefix}import/", _bound(import_upload, importer), name=f"{importer.name_prefix}import"),
        path(f"{prefix}import/preview/", _bound(import_preview, importer),
             name=f"{importer.name_prefix}import-preview"),
        path(f"{prefix}import/confirm/", _bound(import_confirm, importer),
             name=f"{importer.name_prefix}import-confirm"),
    ]
