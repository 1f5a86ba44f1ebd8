"""Claims in all my accounts: what a billing service may bill, account by account, on one page.

The membership rule (accounts.rule.verdicts_for: active username, member, the account's
two-factor requirement met by this session, Full Access on Billing) picks the accounts in
one query; an account it refuses is not counted, not offered and not named. For the accounts
it allows, the page counts the services not yet on a claim and the ready claims (one query
each, whatever the number of accounts) and offers their active clearinghouses as the
submitter (one query). "Create claim batch" then builds one batch over the accounts chosen
(billing.batches.batch_create, which judges each account again inside its transaction).
"""

from __future__ import annotations

from dataclasses import dataclass

from practicegate.billing.batch_selectors import active_clearinghouses, unbilled_services
from practicegate.billing.batches import batch_create, billable_accounts, ready_counts
from practicegate.core.errors import ServiceError


@dataclass(frozen=True)
class AccountRow:
    account: object
    unbilled: int
    ready: int
    charge: object


@dataclass(frozen=True)
class ClaimsOverview:
    rows: list[AccountRow]
    clearinghouses: list

    @property
    def accounts(self) -> list:
        return [row.account for row in self.rows]

    @property
    def ready_total(self) -> int:
        return sum(row.ready for row in self.rows)


def claims_overview(user, *, context=None) -> ClaimsOverview:
    """Per account the username may bill now: unbilled services and ready claims (four queries in all)."""
    accounts = billable_accounts(user, context=context)
    ids = [a.pk for a in accounts]
    unbilled = unbilled_services(ids) if ids else {}
    ready = ready_counts(ids) if ids else {}
    rows = [AccountRow(a, unbilled.get(a.pk, 0), ready.get(a.pk, {}).get("claims", 0),
                       ready.get(a.pk, {}).get("charge", 0)) for a in accounts]
    return ClaimsOverview(rows, active_clearinghouses(ids) if ids else [])


def batch_across_accounts(*, actor, overview: ClaimsOverview, slugs: list[str], clearinghouse_id: int,
                          context=None):
    """Build one batch over the chosen accounts, sent through the clearinghouse chosen (of an
    account among those the username may bill). Raises ServiceError."""
    house = next((h for h in overview.clearinghouses if h.pk == clearinghouse_id), None)
    if house is None:
        raise ServiceError("Choose one of the clearinghouses listed.")
    submitter = next(a for a in overview.accounts if a.pk == house.account_id)
    return batch_create(actor=actor, account=submitter, clearinghouse=house, accounts=slugs, context=context)
