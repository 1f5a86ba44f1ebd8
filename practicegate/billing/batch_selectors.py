"""Reads of claim batches: each starts from the account (or from accounts the rule allowed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from practicegate.billing.batches import billing_verdicts
from practicegate.billing.models import Claim, ClaimBatch, ClaimLine, ClaimStatus, Clearinghouse
from practicegate.clients.models import ClientService
from practicegate.core.paging import PAGE_SIZE, Keyset, Page, keyset_page
from practicegate.core.scoping import across_accounts
from practicegate.core.sections import Level


def batches_page(account, *, after: int | None = None, before: int | None = None, size: int = PAGE_SIZE) -> Page:
    """The account's batches, newest first, by batch number."""
    qs = ClaimBatch.objects.filter(account=account).select_related("clearinghouse", "created_by")
    return keyset_page(qs, Keyset(("number",)), after=None if after is None else (after,),
                       before=None if before is None else (before,), size=size, newest_first=True,
                       cursor_of=lambda b: b.number, confirm_before=True)


def batch_by_number(account, number: int) -> ClaimBatch | None:
    return (ClaimBatch.objects.filter(account=account, number=number)
            .select_related("clearinghouse", "created_by").first())


def active_clearinghouses(account_ids: list[int]) -> list[Clearinghouse]:
    """The active clearinghouses of these accounts (the caller judged each), by account and name: one query."""
    with across_accounts():
        return list(Clearinghouse.objects.filter(account_id__in=account_ids, active=True)
                    .order_by("account_id", "name", "id"))


def ready_claim_count(account) -> int:
    return Claim.objects.filter(account=account, status=ClaimStatus.READY).count()


def unbilled_services(account_ids: list[int]) -> dict[int, int]:
    """{account id: services neither voided nor on an open claim}: one query for them all."""
    with across_accounts():  # the caller judged each account
        on_claim = ClaimLine.objects.filter(service=OuterRef("pk"), open=True)
        rows = (ClientService.objects.filter(account_id__in=account_ids, voided=False)
                .filter(~Exists(on_claim)).values("account_id").annotate(n=Count("id")).order_by())
        return {r["account_id"]: r["n"] for r in rows}


@dataclass
class AccountClaims:
    """The claims of one account in a batch, as the batch page shows them."""

    account: object
    claims: list = field(default_factory=list)


@dataclass
class BatchView:
    shown: list  # AccountClaims of the accounts the viewer may see billing in
    hidden_accounts: int  # accounts of the batch the viewer may not see (not named)
    acknowledgments: list


def batch_view(user, batch: ClaimBatch, *, context=None) -> BatchView:
    """The batch's claims by account, only in accounts where the rule lets the username see
    Billing (View Only at least), and its acknowledgments, newest first."""
    verdicts = billing_verdicts(user, needed=Level.VIEW, context=context)
    allowed = {v.account.pk: v.account for v in verdicts.values() if v.allowed}
    visible = [i for i in batch.account_ids if i in allowed]
    groups = {i: AccountClaims(allowed[i]) for i in sorted(visible, key=lambda i: (allowed[i].name, i))}
    with across_accounts():  # the batch's claims in the accounts just judged
        for claim in (Claim.objects.filter(Q(batch=batch) & Q(account_id__in=visible))
                      .select_related("client", "policy__payer").order_by("account_id", "number")):
            groups[claim.account_id].claims.append(claim)
    acks = list(batch.acknowledgments.select_related("uploaded_by").order_by("-uploaded_at", "-id"))
    return BatchView(list(groups.values()), len(set(batch.account_ids) - set(visible)), acks)
