"""Pages of the Billing section: its home, the billing settings, clearinghouses, building claims.

Thin views: each parses its form and calls one service. Claim pages are in views_claims.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practicegate.billing import claims as claim_services
from practicegate.billing import forms, selectors, services
from practicegate.billing.identifiers import masked_tax_id
from practicegate.core.decorators import account_view
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level
from practicegate.records.conflicts import (
    changed_meanwhile,
    conflict_context,
    merge_notice,
    refuse_stale,
)
from practicegate.records.editing import EditConflict

SECTION = "billing"


def posted(request):
    """The POST data, bound even when empty, so an empty POST is refused rather than shown a form."""
    return request.POST if request.method == "POST" else None


def may_edit(request) -> bool:
    return request.levels.get(SECTION, Level.NONE) >= Level.FULL


def _batches_url(slug: str) -> str:
    """The claim batches page, when the batches part of Billing is installed."""
    try:
        return reverse("billing:batches", kwargs={"account": slug})
    except NoReverseMatch:
        return ""


@account_view(SECTION)
@require_GET
def billing_home(request, account):
    return render(request, "billing/home.html", {"batches_url": _batches_url(account),
        "counts": selectors.status_counts(request.account), "unbilled": selectors.unbilled_count(request.account),
        "settings": services.settings_of(request.account), "may_edit": may_edit(request),
        "clearinghouses": selectors.clearinghouses_of(request.account).filter(active=True).count()})


def _settings_initial(row) -> dict:
    return {**{f: getattr(row, f) for f in services.SETTINGS_FIELDS}, "version": row.version}


@account_view(SECTION)
@require_http_methods(["GET", "POST"])
def billing_settings(request, account):
    row = services.settings_of(request.account)
    form = forms.BillingSettingsForm(posted(request), initial=_settings_initial(row))
    extra, status = {}, 200
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.SETTINGS_FIELDS}
        try:
            row = services.settings_update(actor=request.user, account=request.account, data=data,
                                           expected_version=form.cleaned_data["version"],
                                           new_tax_id=form.cleaned_data["tax_id"], context=request.audit)
        except EditConflict as exc:
            row = services.settings_of(request.account)
            extra = conflict_context(request, row=row, conflict=exc, form=form, action="billing.settings_update",
                                     section=SECTION)
            status = 409
        else:
            messages.success(request, " ".join(filter(None, ["Saved the billing settings.", merge_notice(row, form)])))
            return redirect("billing:settings", account=account)
    extra.setdefault("form", form)
    return render(request, "billing/settings.html",
                  {"row": row, "tax_id_shown": masked_tax_id(row.tax_id), "may_edit": may_edit(request), **extra},
                  status=status if status != 200 else (400 if form.errors else 200))


# --- Clearinghouses ---------------------------------------------------------------------------

@account_view(SECTION)
@require_GET
def clearinghouse_list(request, account):
    return render(request, "billing/clearinghouses.html",
                  {"rows": list(selectors.clearinghouses_of(request.account)), "may_edit": may_edit(request)})


@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def clearinghouse_add(request, account):
    form = forms.ClearinghouseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.clearinghouse_create(actor=request.user, account=request.account, data=form.cleaned_data,
                                      context=request.audit)
        messages.success(request, "Added the clearinghouse.")
        return redirect("billing:clearinghouses", account=account)
    return render(request, "billing/clearinghouse.html", {"form": form, "row": None},
                  status=400 if form.errors else 200)


@account_view(SECTION)
@require_http_methods(["GET", "POST"])
def clearinghouse_edit(request, account, pk):
    row = selectors.clearinghouse_get(request.account, pk)
    initial = {**{f: getattr(row, f) for f in services.CLEARINGHOUSE_FIELDS}, "version": row.version}
    form = forms.ClearinghouseEditForm(posted(request), initial=initial)
    extra, status = {}, 200
    if request.method == "POST" and form.is_valid():
        try:
            services.clearinghouse_update(actor=request.user, account=request.account, row=row, data=form.cleaned_data,
                                          expected_version=form.cleaned_data["version"], context=request.audit)
        except EditConflict as exc:
            extra = conflict_context(request, row=row, conflict=exc, form=form, action="clearinghouse.update",
                                     section=SECTION)
            row, status = selectors.clearinghouse_get(request.account, pk), 409
        else:
            messages.success(request, " ".join(filter(None, ["Saved the clearinghouse.", merge_notice(row, form)])))
            return redirect("billing:clearinghouses", account=account)
    extra.setdefault("form", form)
    return render(request, "billing/clearinghouse.html", {"row": row, "may_edit": may_edit(request), **extra},
                  status=status if status != 200 else (400 if form.errors else 200))


def _set_active(request, account, pk, active: bool):
    row = selectors.clearinghouse_get(request.account, pk)
    verb = "Reactivated" if active else "Deactivated"
    form = forms.VersionForm(request.POST)
    if not form.is_valid():
        return render(request, "core/error.html", {"title": f"Not {verb.lower()}",
                                                   "message": " ".join(form.errors["version"])}, status=400)
    try:
        services.clearinghouse_set_active(actor=request.user, account=request.account, row=row, active=active,
                                          expected_version=form.cleaned_data["version"], context=request.audit)
    except EditConflict as exc:
        edits = refuse_stale(request, row=row, conflict=exc,
                             action=f"clearinghouse.{'reactivate' if active else 'deactivate'}", section=SECTION)
        messages.error(request, changed_meanwhile(verb.lower(), "clearinghouse", edits))
    else:
        messages.success(request, f"{verb} the clearinghouse.")
    return redirect("billing:clearinghouse", account=account, pk=row.pk)


@account_view(SECTION)
@require_POST
def clearinghouse_deactivate(request, account, pk):
    return _set_active(request, account, pk, False)


@account_view(SECTION)
@require_POST
def clearinghouse_reactivate(request, account, pk):
    return _set_active(request, account, pk, True)


# --- Building claims ---------------------------------------------------------------------------

@account_view(SECTION, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def claims_build(request, account):
    form = forms.BuildForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            built = claim_services.claims_build(actor=request.user, account=request.account,
                                                through=form.cleaned_data["through"], context=request.audit)
        except ServiceError as exc:
            form.add_error(None, str(exc))
            return render(request, "billing/build.html",
                          {"form": form, "unbilled": selectors.unbilled_count(request.account)}, status=409)
        drafts = len(built.claims) - built.ready
        words = [f"Built {len(built.claims)} claim{'s' if len(built.claims) != 1 else ''}: "
                 f"{built.ready} ready to send, {drafts} draft{'s' if drafts != 1 else ''} to fix."]
        if built.uncovered:
            words.append(f"{built.uncovered} service{'s were' if built.uncovered != 1 else ' was'} left unbilled: "
                         "no primary insurance policy covers the date.")
        messages.success(request, " ".join(words))
        return redirect("billing:claims", account=account)
    return render(request, "billing/build.html", {"form": form, "unbilled": selectors.unbilled_count(request.account)},
                  status=400 if form.errors else 200)
