"""The account scope: tenant models are reachable only inside it.

Every model that belongs to an account declares ``objects = tenant_manager()``. A query
on it outside any scope raises ``django_scopes.ScopeError`` instead of returning every
account's rows. AccountMiddleware opens the URL's account for the whole request;
commands, jobs and tests open their own with ``account_scope(account)``; code whose point
is to cross accounts (copying between them, searching all of a username's accounts)
says so with ``across_accounts()``, after applying the membership rule to each account.
"""

from __future__ import annotations

from django.http import Http404
from django_scopes import ScopedManager, scope, scopes_disabled
from django_scopes.manager import DisabledQuerySet


class NotInAccount(Http404):
    """A row of another account reached code acting for this one.

    Answered exactly like a missing row (404), so it is never acted upon, never a 500,
    and tells nobody that the row exists elsewhere.
    """


class _ClosedQuerySet(DisabledQuerySet):
    """django-scopes' refusal, also for the few queries it lets through outside a scope
    (`exists()`, `contains()`, `in_bulk()`, `explain()` would answer about every account)."""

    exists = contains = in_bulk = explain = DisabledQuerySet.error


def tenant_manager(field: str = "account"):
    """The manager of a tenant model: its queries need the account scope."""
    scoped = type(ScopedManager(account=field))

    class TenantManager(scoped):
        def get_queryset(self):
            queryset = super().get_queryset()
            if type(queryset) is DisabledQuerySet:
                queryset.__class__ = _ClosedQuerySet  # its clones keep the class
            return queryset

    return TenantManager()


def account_scope(account):
    """Open one account's scope (a context manager).

    ``None`` would open a scope that filters nothing (every account's rows), so it is refused.
    """
    if account is None or getattr(account, "pk", None) is None:
        raise ValueError("account_scope needs a saved account; use across_accounts() to cross them")
    return scope(account=account)


def across_accounts():
    """Lift the scope, visibly, where crossing accounts is the point (a context manager)."""
    return scopes_disabled()


def ensure_in_account(row, account) -> None:
    """Refuse (NotInAccount) a row that does not belong to `account`; services call it first."""
    if row is None or account is None or row.account_id != account.pk:
        raise NotInAccount("No such row in this account")
