"""Paper claims: download a claim, or a batch's claims, as CMS-1500 forms (PDF).

An export of PHI: Full Access on Billing (the middleware refuses less before any row is
read), logged with the claims it holds. `?form=1` draws the form's boxes and labels (for
plain paper); without it only the data is placed, for the red pre-printed form.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from practicegate.billing import paper
from practicegate.billing.models import Claim, ClaimBatch
from practicegate.core.decorators import account_view
from practicegate.core.params import param
from practicegate.core.sections import Level


def _drawn(request) -> bool:
    return param(request.GET, "form") == "1"


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@account_view(paper.SECTION, level=Level.FULL)
@require_GET
def claim_pdf(request, account, number):
    claim = Claim.objects.filter(account=request.account, number=number).first()
    if claim is None:
        raise Http404("No such claim")
    drawn = _drawn(request)
    content = paper.claim_pdf_export(actor=request.user, account=request.account, claim=claim,
                                     form=drawn, context=request.audit)
    suffix = "form" if drawn else "red-form-data"
    return _pdf(content, f"{request.account.slug}-claim-{claim.number}-cms1500-{suffix}.pdf")


@account_view(paper.SECTION, level=Level.FULL)
@require_GET
def batch_pdf(request, account, batch_number):
    batch = ClaimBatch.objects.filter(account=request.account, number=batch_number).first()
    if batch is None:
        raise Http404("No such claim batch")
    drawn = _drawn(request)
    content, count = paper.batch_pdf_export(actor=request.user, account=request.account, batch=batch,
                                            form=drawn, context=request.audit)
    suffix = "form" if drawn else "red-form-data"
    response = _pdf(content, f"{request.account.slug}-batch-{batch.number}-cms1500-{suffix}.pdf")
    response["X-Claim-Count"] = str(count)
    return response
