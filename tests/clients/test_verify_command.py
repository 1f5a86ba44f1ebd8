"""`practicegate audit verify` also holds the Clients rows kept beside events to those events."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from practicegate.audit import integrity
from practicegate.clients.models import ClientChange, ClientSearch
from practicegate.clients.selectors import (
    changes_not_matching_the_log,
    searches_not_matching_the_log,
)
from tests.clients.helpers import make_client, url
from tests.helpers import rows_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(owner_account, owner, owner_http):
    """An account with a client added (a ClientChange) and a search kept (a ClientSearch)."""
    make_client(owner_account, owner, first_name="José", last_name="Müller")
    owner_http.get(url(owner_account, "list"), {"q": "Müller"})
    assert rows_of(ClientChange, owner_account).exists() and rows_of(ClientSearch, owner_account).exists()
    return owner_account


def test_clients_registers_its_two_checks():
    assert integrity.registered() == {"ClientChange": changes_not_matching_the_log,
                                      "ClientSearch": searches_not_matching_the_log}


def test_untampered_rows_verify(logged, capsys):
    call_command("audit", "verify")
    captured = capsys.readouterr()
    assert "OK:" in captured.out
    assert captured.err == ""


def test_an_edited_change_row_is_named_and_fails_the_command(logged, other_account, capsys):
    change = rows_of(ClientChange, logged).latest("id")
    rows_of(ClientChange, logged).filter(pk=change.pk).update(changes={"first_name": [None, "Josefina"]})
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    assert err.value.returncode == 2
    assert f"account {logged.slug}: ClientChange {change.pk}: no longer matches its event" in capsys.readouterr().err
    make_client(other_account)
    call_command("audit", "verify", "--account", other_account.slug)  # the other account's rows are intact


def test_an_edited_search_row_is_named_and_fails_the_command(logged, capsys):
    search = rows_of(ClientSearch, logged).latest("id")
    rows_of(ClientSearch, logged).filter(pk=search.pk).update(terms="Smith")
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify", "--account", logged.slug)
    assert err.value.returncode == 2
    err_text = capsys.readouterr().err
    assert f"account {logged.slug}: ClientSearch {search.pk}: no longer matches its event" in err_text
    assert "ClientChange" not in err_text
