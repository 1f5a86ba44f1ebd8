"""Client pages are addressed by client number (per account), not by database id.

/a/<account>/clients/<number>/: the number people quote. Another account's number under this
account's address is this account's client with that number, or 404; an address from before
(carrying the id) is redirected only to a client of the same account.
"""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.clients.models import Client
from tests.clients.helpers import make_client, url
from tests.helpers import add_member, login_client

pytestmark = pytest.mark.django_db


def _renumber(client, number: int) -> Client:
    """Give a client another number (as an import of an older system's numbers might)."""
    Client._base_manager.filter(pk=client.pk).update(number=number)
    client.number = number
    return client


def test_client_pages_and_links_use_the_client_number(owner_account, owner, owner_http):
    make_client(owner_account, owner, last_name="First")
    client = _renumber(make_client(owner_account, owner, last_name="Second"), 201)
    assert url(owner_account, "detail", number=201) == f"/a/{owner_account.slug}/clients/201/"
    page = owner_http.get(url(owner_account, "detail", number=201)).content.decode()
    assert "Second" in page and "Client #201" in page
    listing = owner_http.get(url(owner_account, "list")).content.decode()
    assert f'href="/a/{owner_account.slug}/clients/201/"' in listing
    assert f'href="/a/{owner_account.slug}/clients/{client.pk}/"' not in listing or client.pk == 201
    added = owner_http.post(url(owner_account, "add"), {
        "first_name": "Ann", "last_name": "Third", "birth_date": "1990-01-01", "sex": "F",
        "intake_date": "2024-01-01"})
    third = Client._base_manager.get(account=owner_account, last_name="Third")
    assert added.status_code == 302 and added["Location"] == url(owner_account, "detail", number=third.number)


def test_another_accounts_number_is_this_accounts_client_or_404(owner_account, owner, other_account, owner_http):
    """Sunrise's #1 and Lakeside's #1 are two clients: Sunrise's address never shows Lakeside's."""
    theirs = make_client(other_account, other_account.owner, last_name="Lakesideclient")
    _renumber(theirs, 12)
    ours = _renumber(make_client(owner_account, owner, last_name="Sunriseclient"), 12)
    page = owner_http.get(url(owner_account, "detail", number=12))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sunriseclient" in html and "Lakesideclient" not in html
    events = AuditEvent.objects.filter(action="phi.view", target_type="client")
    assert [(e.account_id, e.target_id) for e in events] == [(owner_account.pk, str(ours.pk))]
    # A number only the other account has: 404, whatever the tab or method.
    _renumber(theirs, 77)
    for name in ("detail", "diagnoses", "services", "edit"):
        assert owner_http.get(url(owner_account, name, number=77)).status_code == 404
    assert owner_http.post(url(owner_account, "edit", number=77), {}).status_code == 404
    # The owner of Lakeside (a stranger to Sunrise) gets 404 for Sunrise's own number.
    assert login_client(other_account.owner).get(url(owner_account, "detail", number=12)).status_code == 404


def test_an_old_id_address_redirects_members_to_the_number_address(owner_account, owner, owner_http):
    client = _renumber(make_client(owner_account, owner, last_name="Oldaddress"), 5_000_001)
    old = f"/a/{owner_account.slug}/clients/{client.pk}/services/?after=3"
    response = owner_http.get(old)
    assert response.status_code == 302  # not 301: the number may come to exist later
    assert response["Location"] == f"/a/{owner_account.slug}/clients/5000001/services/?after=3"
    assert owner_http.get(response["Location"]).status_code == 200
    # A POST to an old address is not redirected (its form would be lost): 404, nothing changes.
    version = client.version
    assert owner_http.post(f"/a/{owner_account.slug}/clients/{client.pk}/edit/", {}).status_code == 404
    assert Client._base_manager.get(pk=client.pk).version == version


def test_a_number_that_exists_wins_over_an_old_id(owner_account, owner, owner_http):
    first = _renumber(make_client(owner_account, owner, last_name="Byid"), 9_000_000)
    second = _renumber(make_client(owner_account, owner, last_name="Bynumber"), first.pk)
    response = owner_http.get(url(owner_account, "detail", number=second.number))
    assert response.status_code == 200 and "Bynumber" in response.content.decode()


def test_an_old_id_of_another_account_is_404_never_a_redirect(owner_account, owner, other_account, owner_http):
    theirs = _renumber(make_client(other_account, other_account.owner, last_name="Theirs"), 6_000_001)
    add_member(other_account, owner)  # even a member of both accounts is not sent across
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = owner_http.get(f"/a/{owner_account.slug}/clients/{theirs.pk}/")
    assert response.status_code == 404
    events = list(AuditEvent.objects.filter(id__gt=mark))
    assert [(e.account_id, e.action) for e in events] == [(owner_account.pk, "access.not_found")]


def test_an_old_id_address_is_404_for_a_non_member(owner_account, owner, other_account):
    client = _renumber(make_client(owner_account, owner), 7_000_001)
    stranger = login_client(other_account.owner)
    assert stranger.get(f"/a/{owner_account.slug}/clients/{client.pk}/").status_code == 404
    assert stranger.get(f"/a/{owner_account.slug}/clients/7000001/").status_code == 404
