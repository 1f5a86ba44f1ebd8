"""A streaming export is read after its view returns: its queries still run in the account's scope."""

from __future__ import annotations

import pytest
from django_scopes import ScopeError, get_scope

from practicegate.clients import csvio
from practicegate.clients.models import Client
from tests.clients.helpers import make_client, url
from tests.helpers import login_client

pytestmark = pytest.mark.django_db


def test_the_clients_export_streams_every_row_inside_the_accounts_scope(owner_account, other_account,
                                                                       monkeypatch):
    for last_name in ("Ames", "Baker", "Cruz"):
        make_client(owner_account, last_name=last_name)
    make_client(other_account, last_name="Elsewhere")
    seen = []
    export_lines = csvio.export_lines

    def watched(clients):
        # Runs when the body is read, after the view (and the middleware's `with`) returned.
        for client in clients:
            seen.append((get_scope().get("account"), Client.objects.count(), client.last_name))
            yield client

    monkeypatch.setattr(csvio, "export_lines", lambda clients: export_lines(watched(clients)))
    response = login_client(owner_account.owner).get(url(owner_account, "export"))
    assert response.status_code == 200 and response.streaming
    with pytest.raises(ScopeError):
        Client.objects.count()  # outside any scope a tenant query refuses
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [row[2] for row in seen] == ["Ames", "Baker", "Cruz"]
    assert all(account == owner_account and count == 3 for account, count, _ in seen)
    assert all(name in body for name in ("Ames", "Baker", "Cruz")) and "Elsewhere" not in body
    with pytest.raises(ScopeError):
        Client.objects.count()  # and the stream left no scope behind
