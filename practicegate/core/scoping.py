"""The account scope: tenant models are reachable only inside it.

Every model that belongs to an account declares ``objects = tenant_manager()``. A query
on it outside any scope raises ``django_scopes.ScopeError`` instead of returning every
account's rows. AccountMiddleware opens the URL's account for the whole request;
commands, jobs and tests open their own with ``account_scope(account)``; code whose point
is to cross accounts (copying between them, searching all of a username's accounts)
says so with ``across_accounts()``, after applying the membership rule to each account.
"""

from __future__ import annotations

from django_scopes import ScopedManager, scope, scopes_disabled


def tenant_manager(field: str = "account", **kwargs):
    """The manager of a tenant model: its queries need the account scope."""
    return ScopedManager(account=field, **kwargs)


def account_scope(account):
    """Open one account's scope (a context manager)."""
    return scope(account=account)


def across_accounts():
    """Lift the scope, visibly, where crossing accounts is the point (a context manager)."""
    return scopes_disabled()
