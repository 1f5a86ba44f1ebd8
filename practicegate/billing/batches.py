"""Claim batches: one 837P interchange of every ready claim of the accounts chosen.

A batch is built by one username for one submitter: the account whose clearinghouse sends
it (the billing service's own account, or the provider's). Each account whose claims it may
carry is judged by the one membership rule (accounts.rule: Full Access on Billing now, the
account's two-factor requirement met by this session); an account that fails is left out
without a word, so a batch never names an account its builder may not bill. Everything
happens in one transaction: the claims are locked, the control number is taken from the
clearinghouse's row under its lock, the file is written (billing.x12), the claims are
marked In batch, and the log gets one event in the submitter's account and one in each
account whose claims the batch carries. If anything fails, no claim is marked.

Downloading the file is an export of protected health information: Full Access on Billing
in every account the batch carries, logged in each of them with the claim ids it holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Max, Prefetch, Sum
from django.utils import timezone

from practicegate.accounts.models import Account
from practicegate.accounts.rule import verdicts_for
from practicegate.audit.services import Entry, record, record_many
from practicegate.billing import x12
from practicegate.billing.models import Claim, ClaimBatch, ClaimLine, ClaimStatus, Clearinghouse
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import account_scope, across_accounts
from practicegate.core.sections import Level

SECTION = "billing"
TARGET = "claim_batch"


class NothingToBatch(ServiceError):
    """None of the accounts chosen (that the username may bill) has a ready claim."""


def billing_verdicts(user, *, slugs: Iterable[str] | None = None, needed: Level = Level.FULL,
                     context=None) -> dict:
    """{slug: verdict} of the rule on Billing for the username's accounts (or those among `slugs`): one query."""
    return verdicts_for(user, section=SECTION, needed=needed, context=context, slugs=slugs)


def billable_accounts(user, *, slugs: Iterable[str] | None = None, context=None) -> list:
    """The accounts whose claims this username may put in a batch now, by name (one query)."""
    return [v.account for v in billing_verdicts(user, slugs=slugs, context=context).values() if v.allowed]


def _slugs(accounts: Iterable) -> list[str]:
    return [str(getattr(a, "slug", a)) for a in accounts]


def _claims_for_file(account_ids: list[int]) -> list[Claim]:
    """The ready claims of these accounts, locked, with what the writer reads of them (a constant number of queries)."""
    lines = Prefetch("lines", queryset=ClaimLine.objects.order_by("claim_id", "line_number"))
    return list(
        Claim.objects.filter(account_id__in=account_ids, status=ClaimStatus.READY)
        .select_for_update(of=("self",))
        .select_related("account", "client", "policy", "policy__payer", "original")
        .prefetch_related(lines)
        .order_by("account_id", "number")
    )


def _lock_clearinghouse(account, clearinghouse) -> Clearinghouse:
    """The submitter's clearinghouse, locked with every other of the account (in id order, so two
    builders never wait on each other crosswise): the batch number and the control number are
    then taken by one builder at a time."""
    wanted = getattr(clearinghouse, "pk", clearinghouse)
    locked = {c.pk: c for c in Clearinghouse.objects.select_for_update().filter(account=account).order_by("pk")}
    house = locked.get(wanted) if isinstance(wanted, int) else None
    if house is None or not house.active:
        raise ServiceError("Choose one of the account's active clearinghouses.")
    return house


@transaction.atomic
def batch_create(*, actor, account, clearinghouse, accounts: Iterable, context=None) -> ClaimBatch:
    """Put every ready claim of `accounts` (those the actor may bill) in one new batch sent by
    `account` through `clearinghouse`; write its file and log it. Raises ServiceError."""
    chosen = _slugs(accounts)
    verdicts = billing_verdicts(actor, slugs=[*chosen, account.slug], context=context)
    submitter = verdicts.get(account.slug)
    if submitter is None or not submitter.allowed:
        raise ServiceError("You need Full Access on Billing in the account whose clearinghouse sends the batch.")
    billed = sorted({verdicts[s].account.pk for s in chosen if s in verdicts and verdicts[s].allowed})
    with across_accounts():  # each account was judged just above; the submitter's rows are its own
        house = _lock_clearinghouse(account, clearinghouse)
        claims = _claims_for_file(billed)
        if not claims:
            raise NothingToBatch("No claims are ready in the accounts you chose.")
        now = timezone.now()
        control_number = house.next_control_number
        Clearinghouse.objects.filter(pk=house.pk).update(next_control_number=F("next_control_number") + 1)
        house.next_control_number += 1
        number = (ClaimBatch.objects.filter(account=account).aggregate(n=Max("number"))["n"] or 0) + 1
        text = x12.batch_file(clearinghouse=house, claims=claims, control_number=control_number, created_at=now)
        per_account = _per_account(claims)
        batch = ClaimBatch.objects.create(
            account=account, number=number, clearinghouse=house, control_number=control_number,
            created_by=actor, created_at=now, account_ids=sorted(per_account),
            claim_count=len(claims), line_count=sum(len(c.lines.all()) for c in claims),
            total_charge=sum((c.total_charge for c in claims), Decimal("0")), file_text=text)
        Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
            status=ClaimStatus.IN_BATCH, batch=batch, updated_at=now, version=F("version") + 1)
    record("batch.create", account=account, actor=actor, context=context, section=SECTION,
           target_type=TARGET, target_id=batch.pk,
           detail={"batch": batch.number, "control_number": control_number, "clearinghouse_id": house.pk,
                   "claims": batch.claim_count, "lines": batch.line_count,
                   "total_charge": str(batch.total_charge), "accounts": batch.account_ids})
    record_many("batch.claims_add", [
        Entry(group["account"], target_type=TARGET, target_id=batch.pk, detail={
            "batch": batch.number, "submitter_account_id": account.pk, "claim_ids": group["claim_ids"],
            "claims": len(group["claim_ids"]), "lines": group["lines"]})
        for group in per_account.values()
    ], actor=actor, context=context, section=SECTION)
    return batch


def _per_account(claims: list[Claim]) -> dict[int, dict]:
    """{account id: {"account", "claim_ids", "lines"}} of claims loaded with their lines and account."""
    groups: dict[int, dict] = {}
    for claim in claims:
        group = groups.setdefault(claim.account_id, {"account": claim.account, "claim_ids": [], "lines": 0})
        group["claim_ids"].append(claim.pk)
        group["lines"] += len(claim.lines.all())
    return groups


# --- reading a batch back, as the account pages and the download need it -------------------

def batch_accounts_refused(user, batch: ClaimBatch, *, needed: Level = Level.FULL, context=None) -> bool:
    """Whether the rule refuses the username in any account whose claims the batch carries (one query)."""
    verdicts = billing_verdicts(user, needed=needed, context=context)
    allowed = {v.account.pk for v in verdicts.values() if v.allowed}
    return not set(batch.account_ids) <= allowed


def claims_by_account(batch: ClaimBatch) -> dict[int, dict]:
    """{account id: {"claim_ids", "lines"}} of the claims the batch carries (one query)."""
    groups: dict[int, dict] = defaultdict(lambda: {"claim_ids": [], "lines": 0})
    with across_accounts():  # the batch's own claims, whichever account they belong to
        rows = (Claim.objects.filter(batch=batch).annotate(line_total=Count("lines"))
                .order_by("account_id", "number").values_list("account_id", "pk", "line_total"))
        for account_id, pk, lines in rows:
            groups[account_id]["claim_ids"].append(pk)
            groups[account_id]["lines"] += lines
    return dict(groups)


class DownloadRefused(ServiceError):
    """The batch carries claims of an account where the username may not export them."""


@transaction.atomic
def batch_download(*, actor, account, batch: ClaimBatch, context=None) -> str:
    """The batch's 837P file for the actor to save: an export of PHI, logged in every account it
    carries (and the submitter's); the first download marks the batch and its claims sent."""
    if batch.account_id != account.pk:
        raise ServiceError("No such batch in this account.")
    if batch_accounts_refused(actor, batch, context=context):
        raise DownloadRefused("This batch carries claims of accounts where you do not have Full Access "
                              "on Billing, so you cannot download its file.")
    now = timezone.now()
    groups = claims_by_account(batch)
    with account_scope(account):  # the batch is the account's own (a command opens no scope of its own)
        first = ClaimBatch.objects.filter(pk=batch.pk, sent_at__isnull=True).update(sent_at=now) == 1
    if first:
        batch.sent_at = now
        with across_accounts():
            Claim.objects.filter(batch=batch, status=ClaimStatus.IN_BATCH).update(
                status=ClaimStatus.SENT, updated_at=now, version=F("version") + 1)
    entries = _download_entries(account, batch, groups, first=first)
    record_many("batch.download", entries, actor=actor, context=context, section=SECTION)
    return batch.file_text


def _download_entries(account, batch: ClaimBatch, groups: dict[int, dict], *, first: bool) -> list[Entry]:
    ids = sorted({*groups, account.pk})
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    return [Entry(accounts[i], target_type=TARGET, target_id=batch.pk, detail={
        "batch": batch.number, "submitter_account_id": account.pk, "first_download": first,
        "claim_ids": groups.get(i, {}).get("claim_ids", []), "claims": len(groups.get(i, {}).get("claim_ids", [])),
        "lines": groups.get(i, {}).get("lines", 0), "batch_claims": batch.claim_count})
        for i in ids if i in accounts]


def ready_counts(account_ids: list[int]) -> dict[int, dict]:
    """{account id: {"claims", "charge"}} of ready claims (one query, however many accounts)."""
    with across_accounts():  # the caller judged every one of these accounts
        rows = (Claim.objects.filter(account_id__in=account_ids, status=ClaimStatus.READY)
                .values("account_id").annotate(claims=Count("id"), charge=Sum("total_charge")))
        return {r["account_id"]: {"claims": r["claims"], "charge": r["charge"] or Decimal("0")} for r in rows}
