"""The one membership rule: may this username do this in this account?

AccountMiddleware applies it to the account in the URL. Every service that reaches
another account (copying between accounts, searching clients in all my accounts,
joining, the provider dropdown) applies it to each account it touches, through
these same functions, so that no path can skip a part of it:

1. the username is active and a member of the account;
2. the account's two-factor requirement is met by this session;
3. the username's level on the section is at least the level needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from practicegate.accounts.models import Membership
from practicegate.core.sections import MEMBERS, Level


class Refusal(StrEnum):
    NOT_MEMBER = "not_member"  # also an inactive username: answered exactly like a stranger
    TWO_FACTOR = "two_factor_required"
    LEVEL = "level"


@dataclass(frozen=True)
class Verdict:
    membership: Membership | None
    refusal: Refusal | None
    section: str = MEMBERS
    needed: Level = Level.VIEW

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def account(self):
        return self.membership.account if self.membership is not None else None

    @property
    def has(self) -> Level:
        if self.membership is None or self.section == MEMBERS:
            return Level.NONE
        return self.membership.level(self.section)


def two_factor_met(user, account, *, request=None) -> bool:
    """Whether this session satisfies the account's two-factor requirement.

    A web request must carry a session verified with a code (django-otp marks the
    request's user). Without a request (a command run by an operator on the server)
    there is no session to verify, and the requirement does not apply.
    """
    if not account.require_two_factor or request is None:
        return True
    session_user = getattr(request, "user", None)
    if session_user is None or getattr(session_user, "pk", None) != getattr(user, "pk", None):
        return False
    checker = getattr(session_user, "is_verified", None)
    return bool(checker is not None and checker())


def judge(membership: Membership | None, user, *, section: str = MEMBERS,
          needed: Level = Level.VIEW, request=None) -> Verdict:
    """Apply the rule to a membership already loaded (with its account and user)."""
    if (membership is None or user is None or membership.user_id != user.pk
            or not membership.user.is_active):
        return Verdict(None, Refusal.NOT_MEMBER, section, needed)
    if not two_factor_met(user, membership.account, request=request):
        return Verdict(membership, Refusal.TWO_FACTOR, section, needed)
    if section != MEMBERS and not membership.can(section, needed):
        return Verdict(membership, Refusal.LEVEL, section, needed)
    return Verdict(membership, None, section, needed)


def _memberships(user):
    return Membership.objects.select_related("account", "user").filter(user=user)


def verdict_for(user, account_slug: str, *, section: str = MEMBERS, needed: Level = Level.VIEW,
                request=None) -> Verdict:
    """The rule for one account named by its slug: one query."""
    membership = None
    if user is not None and getattr(user, "is_authenticated", False):
        membership = _memberships(user).filter(account__slug=str(account_slug)[:60]).first()
    return judge(membership, user, section=section, needed=needed, request=request)


def verdicts_for(user, *, section: str = MEMBERS, needed: Level = Level.VIEW, request=None,
                 slugs: Iterable[str] | None = None) -> dict[str, Verdict]:
    """The rule for every account of the username (or those among `slugs`), by slug: one query.

    Accounts the username has not joined are absent from the answer.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    rows = _memberships(user)
    if slugs is not None:
        rows = rows.filter(account__slug__in=[str(s)[:60] for s in slugs])
    rows = rows.order_by("account__name", "account__id")
    return {m.account.slug: judge(m, user, section=section, needed=needed, request=request)
            for m in rows}


def verdict_with_accounts(user, account_slug: str, *, section: str = MEMBERS, needed: Level = Level.VIEW,
                          request=None) -> tuple[Verdict, list[tuple[str, str]]]:
    """verdict_for() and the username's accounts as (slug, name) by name, for the frame's
    provider dropdown: both from the one query of verdicts_for()."""
    verdicts = verdicts_for(user, section=section, needed=needed, request=request)
    accounts = [(slug, v.membership.account.name) for slug, v in verdicts.items()]
    verdict = verdicts.get(str(account_slug)[:60]) or Verdict(None, Refusal.NOT_MEMBER, section, needed)
    return verdict, accounts
