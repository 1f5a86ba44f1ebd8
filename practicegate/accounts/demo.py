"""The demo's first part: three group-practice accounts, each with its owner.

Registered in AccountsConfig.ready(); every other app's demo part comes after it and adds to
the accounts it makes (see core.demo).
"""

from __future__ import annotations

from practicegate.accounts.models import Account
from practicegate.accounts.services import account_signup

# (slug, provider name, owner username, password). Demo-only passwords, printed on purpose.
DEMO_ACCOUNTS = [
    ("sunrise-counseling", "Sunrise Counseling", "sunrise", "sunrise-demo-passphrase"),
    ("lakeside-therapy", "Lakeside Therapy Group", "lakeside", "lakeside-demo-passphrase"),
    ("harbor-psychology", "Harbor Psychology", "harbor", "harbor-demo-passphrase"),
]
CREDENTIALS = tuple((username, password, f"owner of {name}") for _, name, username, password in DEMO_ACCOUNTS)


def exists() -> bool:
    return Account.objects.filter(slug=DEMO_ACCOUNTS[0][0]).exists()


def build(accounts: list) -> list[tuple[str, str, str]]:
    """Make the demo accounts and add them to `accounts`, which the later parts build on."""
    for slug, name, username, password in DEMO_ACCOUNTS:
        accounts.append(account_signup(provider_name=name, email=f"{username}@example.org", username=username,
                                       password=password, slug=slug))
    return list(CREDENTIALS)
