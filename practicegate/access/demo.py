"""The demo practice's master username, made the way a practice would make it:
added under Allow Account Access in the first account, then joined to the others."""

from __future__ import annotations

from practicegate.access import services

USERNAME = "practice-manager"
PASSWORD = "practice-manager-demo-passphrase"  # demo only, printed on purpose
CREDENTIALS = [(USERNAME, PASSWORD, "master username, joined to every demo account")]


def build(accounts) -> list[tuple[str, str, str]]:
    first, *others = accounts
    # The practice manager gets the account's starting privileges (Full Access), not a narrower role.
    manager = services.username_add(actor=first.owner, account=first, username=USERNAME, password=PASSWORD,
                                    starting=True)
    for account in others:
        # The owner's credentials are what the manager would type under Access Other Accounts.
        services.membership_join(actor=manager, account=account, from_account=first, via="credentials",
                                 credential_user=account.owner)
    return list(CREDENTIALS)
