"""Reads for the access pages. Every read starts from the account."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from practicegate.access.models import JoinCode
from practicegate.access.services import ACCESS
from practicegate.accounts.models import Account, Membership
from practicegate.accounts.selectors import members_of
from practicegate.core.sections import SECTIONS, Level
from practicegate.twofactor.services import users_with_two_factor


@dataclass
class MemberRow:
    membership: Membership
    levels: list[tuple[str, Level]]  # (section label, level), in registry order
    two_factor: bool
    locked_reason: str | None  # why the row cannot be deleted (owner, last Full Access)


def member_rows(account: Account) -> list[MemberRow]:
    """Every username with access to the account, for Username Privileges and Allow Account Access."""
    rows = []
    memberships = list(members_of(account).select_related("account"))
    holders = sum(1 for m in memberships if m.can(ACCESS, Level.FULL))
    with_two_factor = users_with_two_factor(m.user_id for m in memberships)  # one query for all rows
    for m in memberships:
        if m.is_owner:
            reason = "Owner: always Full Access."
        elif m.can(ACCESS, Level.FULL) and holders <= 1:
            reason = "Last username with Full Access to Account Access."
        else:
            reason = None
        rows.append(MemberRow(
            membership=m,
            levels=[(s.label, m.level(s.key)) for s in SECTIONS],
            two_factor=m.user_id in with_two_factor,
            locked_reason=reason,
        ))
    return rows


def membership_in(account: Account, membership_id: int) -> Membership | None:
    return members_of(account).select_related("account").filter(pk=membership_id).first()


def open_join_codes(account: Account):
    return JoinCode.objects.filter(account=account, used_at__isnull=True, revoked_at__isnull=True,
                                   expires_at__gt=timezone.now()).select_related("created_by").order_by("-created_at")


def join_code_in(account: Account, code_id: int) -> JoinCode | None:
    return JoinCode.objects.filter(account=account, pk=code_id).first()

