"""Reads of the Billing section. Every query starts from the account."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404

from practicegate.billing import building
from practicegate.billing.models import Claim, ClaimLine, ClaimStatus, Clearinghouse
from practicegate.core.paging import Keyset, keyset_page


def claims_of(account):
    return Claim.objects.filter(account=account)


def claim_by_number(account, number: int) -> Claim:
    """The account's claim with this claim number; any other (another account's too) is 404."""
    claim = claims_of(account).filter(number=number).select_related("client", "policy__payer", "original").first()
    if claim is None:
        raise Http404("No such claim")
    return claim


def claim_lines(account, claim):
    return list(ClaimLine.objects.filter(account=account, claim=claim).order_by("line_number"))


def status_counts(account) -> list[tuple[str, str, int]]:
    """(status, label, how many claims) of every status, in workflow order."""
    counts = dict(claims_of(account).values_list("status").annotate(n=Count("id")).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in ClaimStatus.choices]


def unbilled_count(account) -> int:
    return building.unbilled_services(account).count()


def claim_page(account, *, status: str = "", after=None, before=None):
    """A page of the account's claims, newest first, with their client and payer."""
    claims = claims_of(account).select_related("client", "policy__payer")
    if status:
        claims = claims.filter(status=status)
    return keyset_page(claims, Keyset(("id",)), after=(after,) if after else None,
                       before=(before,) if before else None, newest_first=True)


def clearinghouses_of(account):
    return Clearinghouse.objects.filter(account=account).order_by("name", "id")


def clearinghouse_get(account, pk) -> Clearinghouse:
    row = Clearinghouse.objects.filter(account=account, pk=pk).first()
    if row is None:
        raise Http404("No such clearinghouse")
    return row
