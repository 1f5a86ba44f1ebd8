"""The integrity checks apps register with the activity log, run by `audit verify`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_scopes import get_scope

from practicegate.audit import integrity
from tests.audit.helpers import append, bare_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_these_checks(monkeypatch):
    """Replace the registered checks (clients' among them) for one test."""
    monkeypatch.setattr(integrity, "_CHECKS", {})
    return integrity.register


def test_each_account_with_a_chain_runs_each_check_in_its_scope(only_these_checks):
    one, two = bare_account(), bare_account()
    append(one, 2)
    append(two, 1)
    seen = []

    def check(account):
        seen.append((account.slug, get_scope().get("account")))
        return [3, 1] if account == two else []

    only_these_checks("Kept", check)
    assert [str(m) for m in integrity.mismatches()] == [f"account {two.slug}: Kept 1: no longer matches its event",
                                                        f"account {two.slug}: Kept 3: no longer matches its event"]
    assert seen == [(one.slug, one), (two.slug, two)]
    assert integrity.mismatches(account=one) == []


def test_a_mismatch_fails_the_command_with_an_intact_chain(only_these_checks, capsys):
    account = bare_account()
    append(account, 2)
    only_these_checks("Kept", lambda acct: [5])
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    assert err.value.returncode == 2
    assert f"account {account.slug}: Kept 5: no longer matches its event" in capsys.readouterr().err
    only_these_checks("Kept", lambda acct: [])
    call_command("audit", "verify")
    assert "OK:" in capsys.readouterr().out
