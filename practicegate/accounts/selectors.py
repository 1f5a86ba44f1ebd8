"""Reads about usernames and accounts. Tenant data is always read from an account."""

from __future__ import annotations

from practicegate.accounts.models import Account, Membership, User


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
