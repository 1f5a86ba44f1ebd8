"""The demo group practice that `practicegate demo` (and `make run`) creates once.

Feature apps add to it through a `demo.py` module with `build(accounts)`, run in
the order of DEMO_EXTENSIONS; each returns extra (username, password, note) rows.
"""

from __future__ import annotations

import importlib

from django.db import connection, transaction

from practicegate.accounts.models import Account
from practicegate.accounts.services import account_signup

# (slug, provider name, owner username, password). Demo-only passwords, printed on purpose.
DEMO_ACCOUNTS = [
    ("sunrise-counseling", "Sunrise Counseling", "sunrise", "sunrise-demo-passphrase"),
    ("lakeside-therapy", "Lakeside Therapy Group", "lakeside", "lakeside-demo-passphrase"),
    ("harbor-psychology", "Harbor Psychology", "harbor", "harbor-demo-passphrase"),
]
DEMO_EXTENSIONS = ["practicegate.access.demo", "practicegate.masterfiles.demo", "practicegate.clients.demo"]


def demo_exists() -> bool:
    return Account.objects.filter(slug=DEMO_ACCOUNTS[0][0]).exists()


def _extensions():
    for name in DEMO_EXTENSIONS:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


@transaction.atomic
def build_demo() -> list[tuple[str, str, str]]:
    """Create the demo practice; return (username, password, what it opens) for printing."""
    credentials = []
    accounts = []
    for slug, name, username, password in DEMO_ACCOUNTS:
        account = account_signup(provider_name=name, email=f"{username}@example.org", username=username,
                                 password=password, slug=slug)
        credentials.append((username, password, f"owner of {name}"))
        accounts.append(account)
    for module in _extensions():
        credentials.extend(module.build(accounts) or [])
    _update_planner_statistics()
    return credentials


def _update_planner_statistics() -> None:
    """PostgreSQL: ANALYZE after the bulk load, as after any restore. Until autovacuum gets to it
    (a minute or more later), the planner takes the new tables for nearly empty and picks plans
    for a few rows: a diagnosis code list sorted 871 codes to show 50 instead of reading its index."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def demo_credentials() -> list[tuple[str, str, str]]:
    rows = [(u, p, f"owner of {n}") for _, n, u, p in DEMO_ACCOUNTS]
    for module in _extensions():
        rows.extend(getattr(module, "CREDENTIALS", []))
    return rows
