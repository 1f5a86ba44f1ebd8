"""Reads for the access pages. Every read starts from the account."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from practicegate.access.models import JoinCode
from practicegate.access.services import ACCESS
from practicegate.accounts.models import Account, Membership
from practicegate.accounts.selectors import members_of
from practicegate.core.sections import SECTION_KEYS, SECTIONS, Level, level_of
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


class PrivilegeRow(NamedTuple):
    """One line of Username Privileges, read as plain values (500 usernames in one cheap query)."""

    membership_id: int
    username: str
    is_owner: bool
    is_active: bool
    home_account: str
    last_login: datetime | None
    two_factor: bool
    levels: tuple[tuple[str, Level], ...]  # (section label, level), in registry order
    locked_reason: str | None


def privilege_rows(account: Account) -> list[PrivilegeRow]:
    """member_rows() for Username Privileges, without a model instance per row: same rules."""
    raw = account.memberships.order_by("user__username").annotate(
        # The levels as their JSON text: most usernames share a few level sets, each decoded once.
        levels_text=Cast("levels", TextField()),
    ).values_list("pk", "user_id", "user__username", "user__is_active", "user__home_account__name",
                  "user__last_login", "levels_text")
    owner_levels = tuple((s.label, Level.FULL) for s in SECTIONS)
    by_text: dict[str | None, tuple] = {}

    def levels_of(text: str | None) -> tuple:
        found = by_text.get(text)
        if found is None:
            levels = json.loads(text) if text else {}
            levels = levels if isinstance(levels, dict) else {}
            found = by_text[text] = tuple((s.label, level_of(levels, s.key)) for s in SECTIONS)
        return found

    table = [(row, owner_levels if row[1] == account.owner_id else levels_of(row[6])) for row in raw]
    access_index = SECTION_KEYS.index(ACCESS)
    holders = sum(1 for _, levels in table if levels[access_index][1] >= Level.FULL)
    with_two_factor = users_with_two_factor(account.memberships.values("user_id"))  # a subquery, not 500 ids
    rows = []
    for (pk, user_id, username, active, home, last_login, _), levels in table:
        owner = user_id == account.owner_id
        if owner:
            reason = "Owner: always Full Access."
        elif levels[access_index][1] >= Level.FULL and holders <= 1:
            reason = "Last username with Full Access to Account Access."
        else:
            reason = None
        rows.append(PrivilegeRow(pk, username, owner, active, home or "", last_login, user_id in with_two_factor,
                                 levels, reason))
    return rows


def membership_in(account: Account, membership_id: int) -> Membership | None:
    return members_of(account).select_related("account").filter(pk=membership_id).first()


def open_join_codes(account: Account):
    return JoinCode.objects.filter(account=account, used_at__isnull=True, revoked_at__isnull=True,
                                   expires_at__gt=timezone.now()).select_related("created_by").order_by("-created_at")


def join_code_in(account: Account, code_id: int) -> JoinCode | None:
    return JoinCode.objects.filter(account=account, pk=code_id).first()

