"""The Activity Log names usernames and accounts by name, not by row id (audit.readable)."""

from __future__ import annotations

from practicegate.accounts.models import Account, Membership, User
from practicegate.audit.readable import Target, register_targets


def _ids(events) -> set[int]:
    return {int(event.target_id) for event in events if event.target_id.isdigit()}


def _named(events, names: dict[int, str], noun: str) -> dict[int, Target]:
    return {event.pk: Target(names[int(event.target_id)] if event.target_id.isdigit()
                             and int(event.target_id) in names else f"{noun} {event.target_id}")
            for event in events}


def user_targets(request, events) -> dict[int, Target]:
    names = dict(User.objects.filter(pk__in=_ids(events)).values_list("pk", "username"))
    return {pk: Target(f"username {target.text}") for pk, target in _named(events, names, "username").items()}


def account_targets(request, events) -> dict[int, Target]:
    return _named(events, dict(Account.objects.filter(pk__in=_ids(events)).values_list("pk", "name")), "account")


def membership_targets(request, events) -> dict[int, Target]:
    names = dict(Membership.objects.filter(pk__in=_ids(events)).values_list("pk", "user__username"))
    return {pk: Target(f"username {target.text}") for pk, target in _named(events, names, "membership").items()}


register_targets("accounts.user", user_targets)
register_targets("accounts.account", account_targets)
register_targets("accounts.membership", membership_targets)
