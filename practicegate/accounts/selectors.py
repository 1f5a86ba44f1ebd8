"""Reads about usernames and accounts. Tenant data is always read from an account."""

from __future__ import annotations

from practicegate.accounts.models import Account, Membership, User
from practicegate.core.localtime import default_zone


def accounts_of(user: User) -> list[tuple[str, str]]:
    """(slug, provider name) of every account the user belongs to, in one query."""
    return list(
        Membership.objects.filter(user=user)
        .order_by("account__name", "account__id")
        .values_list("account__slug", "account__name")
    )


def members_of(account: Account):
    return account.memberships.select_related("user", "user__home_account").order_by("user__username")


def log_account_of(user: User | None) -> Account | None:
    """The chain where a username's own events belong (sign-in, password): its home account, else any."""
    if user is None:
        return None
    if user.home_account_id:
        return user.home_account
    membership = user.memberships.select_related("account").order_by("id").first()
    return membership.account if membership else None


def own_time_zone(user: User) -> str:
    """The zone of a username's own pages: its own choice, else its home account's, else the default."""
    return user.time_zone or home_zone_of(user)


def home_zone_of(user: User) -> str:
    """The zone of the username's home account (the default zone when it has none)."""
    if user.home_account_id:
        if User.home_account.is_cached(user):
            return user.home_account.time_zone
        zone = Account.objects.filter(pk=user.home_account_id).values_list("time_zone", flat=True).first()
        if zone:
            return zone
    return default_zone()
