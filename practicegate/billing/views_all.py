"""Claims in all my accounts (outside any one account: /claims/all/)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from practicegate.billing.claims_all import batch_across_accounts, claims_overview
from practicegate.billing.forms_batches import ClaimsAllForm
from practicegate.billing.views_batches import _batch_url
from practicegate.core.decorators import signed_in
from practicegate.core.errors import ServiceError


@signed_in
@require_http_methods(["GET", "POST"])
def claims_all(request):
    overview = claims_overview(request.user, context=request.audit)
    posted = request.method == "POST"
    form = ClaimsAllForm(request.POST if posted else None, accounts=overview.accounts,
                         clearinghouses=overview.clearinghouses,
                         initial={"accounts": [r.account.slug for r in overview.rows if r.ready]})
    error = None
    if posted and form.is_valid():
        try:
            batch = batch_across_accounts(actor=request.user, overview=overview,
                                          slugs=form.cleaned_data["accounts"],
                                          clearinghouse_id=form.cleaned_data["clearinghouse"],
                                          context=request.audit)
        except ServiceError as exc:
            error = str(exc)
        else:
            accounts = len(batch.account_ids)
            messages.success(request, f"Claim batch {batch.number} holds {batch.claim_count} "
                                      f"claim{'' if batch.claim_count == 1 else 's'} of {accounts} "
                                      f"account{'' if accounts == 1 else 's'}. Download its file to send it.")
            slug = next(a.slug for a in overview.accounts if a.pk == batch.account_id)
            return redirect(_batch_url(slug, batch.number))
    return render(request, "billing/claims_all.html", {"overview": overview, "form": form, "error": error},
                  status=400 if posted else 200)
