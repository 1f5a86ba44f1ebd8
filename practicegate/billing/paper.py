"""Paper claims: a claim, or a batch's claims, as CMS-1500 forms (an export of PHI, logged).

A batch may carry claims of several accounts. Its forms hold only the claims of the
accounts the username may bill now (Full Access on Billing, by the one membership rule,
two-factor requirement included); each such account's log gets its own event naming its
claims. The others are left out and not named.
"""

from __future__ import annotations

from django.db import transaction

from practicegate.accounts.models import Account
from practicegate.accounts.rule import verdicts_for
from practicegate.audit.services import Entry, record, record_many
from practicegate.billing.actions_paper import BATCH_PDF, CLAIM_PDF
from practicegate.billing.models import Claim
from practicegate.core.scoping import across_accounts, ensure_in_account
from practicegate.core.sections import Level

SECTION = "billing"


def claim_pdf_export(*, actor, account, claim, form: bool, context=None) -> bytes:
    """One claim's form; the event names the claim. The PDF and the event come together."""
    from practicegate.billing.cms1500 import claims_pdf  # reportlab loads only when a PDF is made

    ensure_in_account(claim, account)
    with transaction.atomic():
        record(CLAIM_PDF, account=account, actor=actor, context=context, section=SECTION,
               target_type="claim", target_id=claim.pk,
               detail={"format": "pdf", "form_drawn": form, "claim_ids": [claim.pk], "count": 1,
                       "claim_number": claim.number})
        return claims_pdf([claim], form=form)


def billable_accounts(actor, account_ids, *, context=None) -> dict[int, Account]:
    """The accounts among `account_ids` the username may bill now, by id (two queries)."""
    slugs = list(Account.objects.filter(pk__in=account_ids).values_list("slug", flat=True))
    verdicts = verdicts_for(actor, section=SECTION, needed=Level.FULL, context=context, slugs=slugs)
    return {v.account.pk: v.account for v in verdicts.values() if v.allowed}


def batch_pdf_export(*, actor, account, batch, form: bool, context=None) -> tuple[bytes, int]:
    """The batch's forms and how many claims they hold (a page saying there is none when the
    username may bill none of its claims now: that is logged in the batch's account)."""
    from practicegate.billing.cms1500 import claims_pdf

    ensure_in_account(batch, account)
    allowed = billable_accounts(actor, batch.account_ids or [account.pk], context=context)
    with across_accounts():  # the accounts were judged one by one just above
        claims = list(Claim.objects.filter(batch=batch, account_id__in=list(allowed))
                      .order_by("account_id", "number", "id"))
        per_account: dict[int, list[Claim]] = {} if claims else {account.pk: []}
        for claim in claims:
            per_account.setdefault(claim.account_id, []).append(claim)
        allowed.setdefault(account.pk, account)
        entries = [Entry(account=allowed[account_id], target_type="claim_batch", target_id=batch.pk,
                         detail={"format": "pdf", "form_drawn": form, "batch_number": batch.number,
                                 "batch_account": account.pk, "claim_ids": [c.pk for c in mine],
                                 "count": len(mine)})
                   for account_id, mine in per_account.items()]
        with transaction.atomic():
            record_many(BATCH_PDF, entries, actor=actor, context=context, section=SECTION)
            return claims_pdf(claims, form=form), len(claims)
