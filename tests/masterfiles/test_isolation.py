"""Another account's rows are never listed, shown, changed or deleted through this one."""

from __future__ import annotations

import pytest

from practicegate.masterfiles import selectors
from practicegate.masterfiles.kinds import KINDS
from tests.helpers import rows_of
from tests.masterfiles.helpers import url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["diagnosis", "billing", "payer"])
def test_lists_and_exports_show_only_this_account(owner_client, owner_account, rows, other_rows, kind):
    theirs = {"diagnosis": "F32", "billing": "90834", "payer": "OTH99"}[kind]
    ours = {"diagnosis": "F411", "billing": "90837", "payer": "BHH01"}[kind]
    listing = owner_client.get(url(owner_account, f"{kind}-list")).content.decode()
    export = b"".join(owner_client.get(url(owner_account, f"{kind}-export")).streaming_content).decode()
    assert theirs not in listing and theirs not in export
    assert ours in export


@pytest.mark.parametrize("kind", ["diagnosis", "billing", "payer"])
@pytest.mark.parametrize("action", ["edit", "deactivate", "reactivate", "delete"])
def test_another_accounts_id_is_404(owner_client, owner_account, other_rows, kind, action):
    row = other_rows[kind]
    # With the row's true version, so only the account scope can refuse it.
    if action == "edit":
        assert owner_client.get(url(owner_account, f"{kind}-edit", pk=row.pk)).status_code == 404
    else:
        assert owner_client.post(url(owner_account, f"{kind}-{action}", pk=row.pk),
                                 {"version": row.version}).status_code == 404
    if action == "edit":
        assert owner_client.post(url(owner_account, f"{kind}-edit", pk=row.pk),
                                 {"code": "F99", "name": "x", "description": "x",
                                  "version": row.version}).status_code == 404
    fresh = rows_of(type(row), row.account).get(pk=row.pk)
    assert fresh.active is True and fresh.account_id == row.account_id
    assert fresh.updated_at == row.updated_at


def test_a_cursor_from_another_account_is_ignored(owner_scope, owner_account, rows, other_rows):
    page = selectors.masterfile_page(owner_account, KINDS["diagnosis_codes"], after=other_rows["diagnosis"].pk)
    assert [r.pk for r in page.rows] == [rows["diagnosis"].pk]


def test_search_stays_in_the_account(owner_scope, owner_account, rows, other_rows):
    found = selectors.search(owner_account, KINDS["diagnosis_codes"], "depression")
    assert not found.exists()
    assert not selectors.search(owner_account, KINDS["payers"], "OTH99").exists()
