"""Integrity checks that apps above the activity log register, and that `audit verify` runs.

An app that keeps rows beside its events (the values of a change, the terms of a
search) can tell whether each row still matches the event the chain vouches for.
It registers that check here from its AppConfig.ready(); the activity log runs every
registered check for every account without importing the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from practicegate.audit.models import AuditChain
from practicegate.core.scoping import account_scope

# A check takes an account and returns the ids of its rows that no longer match their events.
RowCheck = Callable[[object], list[int]]

_CHECKS: dict[str, RowCheck] = {}


def register(rows: str, check: RowCheck) -> None:
    """Register `check` for the rows named `rows` (a model's name, as the report prints it)."""
    _CHECKS[rows] = check


def registered() -> dict[str, RowCheck]:
    return dict(_CHECKS)


@dataclass(frozen=True)
class Mismatch:
    account: str  # slug
    rows: str
    pk: int

    def __str__(self):
        return f"account {self.account}: {self.rows} {self.pk}: no longer matches its event"


def mismatches(*, account=None) -> list[Mismatch]:
    """Run every registered check for every account with a chain (or one account), in account order."""
    if account is not None:
        accounts = [account]
    else:
        accounts = [chain.account for chain in AuditChain.objects.filter(account__isnull=False)
                    .select_related("account").order_by("account_id")]
    found = []
    for each in accounts:
        with account_scope(each):
            for rows, check in sorted(_CHECKS.items()):
                found += [Mismatch(each.slug, rows, pk) for pk in sorted(check(each))]
    return found
