"""The pages: Copy From / Copy To choices, Continue (preview), Copy Now, refusals, bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level
from practicegate.masterfiles.models import BillingCode, DiagnosisCode
from tests.helpers import login_client, make_account, rows_everywhere, rows_of
from tests.masterfiles.copy.helpers import levels, seed


def url(name, account="north"):
    return reverse(f"copy:{name}", kwargs={"account": account})


def form(**overrides):
    return {"source": "north", "destinations": ["south"], "files": ["diagnosis", "billing", "payers"],
            "differences": "keep", **overrides}


@pytest.fixture
def client(master):
    return login_client(master)


def set_levels(user, account, **section_levels):
    m = user.memberships.get(account=account)
    m.levels = levels(**{k: int(v) for k, v in section_levels.items()})
    m.save()


def test_start_page_offers_the_accounts_by_level(client, master, accounts):
    set_levels(master, accounts["east"], diagnosis_codes=Level.VIEW, billing_codes=Level.VIEW,
               payers=Level.VIEW)
    response = client.get(url("start"))
    assert response.status_code == 200
    text = response.content.decode()
    for words in ("Copy Codes to Another Account", "Copy From", "Copy To", "Continue"):
        assert words in text
    to_choices = [slug for slug, _ in response.context["form"].fields["destinations"].choices]
    from_choices = [slug for slug, _ in response.context["form"].fields["source"].choices]
    assert to_choices == ["north", "south"]  # east is View Only: a source, never a destination
    assert from_choices == ["", "east", "north", "south"]
    assert response.context["form"]["source"].value() == "north"  # the account the username is in


def test_the_route_needs_account_access_in_the_current_account(client, master, accounts):
    set_levels(master, accounts["north"], account_access=Level.NONE)
    assert client.get(url("start")).status_code == 403
    assert client.post(url("run"), form()).status_code == 403
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 0


def test_view_only_account_access_is_enough_to_copy(client, master, accounts, filled):
    set_levels(master, accounts["north"], account_access=Level.VIEW)
    response = client.post(url("run"), form())
    assert (response.status_code, response["Location"]) == (302, url("done"))
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 3


def test_non_members_get_404(accounts, filled):
    stranger = make_account("Stranger", "stranger").owner
    response = login_client(stranger).get(url("start"))
    assert response.status_code == 404


def test_continue_previews_without_copying(client, accounts, filled):
    seed(accounts["south"], diagnosis=[{"code": "F411", "description": "Our anxiety wording"}])
    response = client.get(url("preview"), form(destinations=["south", "east"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Copy Now" in text and "Our anxiety wording" in text and "Generalized anxiety disorder" in text
    assert "F41.1" in text
    south, east = response.context["destinations"]
    assert [(f.added, f.identical, f.different) for f in south.files] == [(2, 0, 1), (2, 0, 0), (2, 0, 0)]
    assert [f.added for f in east.files] == [3, 2, 2]
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 1
    assert not AuditEvent.objects.filter(action="codes.copy").exists()


def test_copy_now_copies_and_redirects_to_the_result(client, master, accounts, filled):
    response = client.post(url("run"), form(destinations=["south", "east"]))
    assert (response.status_code, response["Location"]) == (302, url("done"))  # post/redirect/get
    response = client.get(url("done"))
    assert response.status_code == 200
    names = [d["name"] for d in response.context["destinations"]]
    assert names == [accounts["south"].name, accounts["east"].name]
    assert b"North Clinic" in response.content
    assert f'<h2>{accounts["east"].name}</h2>' in response.content.decode()
    assert [f["added"] for f in response.context["destinations"][0]["files"]] == [3, 2, 2]
    # The result belongs to the account it was run from; elsewhere the page is the start page.
    assert client.get(url("done", account="south"))["Location"] == url("start", account="south")
    for slug in ("south", "east"):
        assert rows_of(BillingCode, accounts[slug]).count() == 2
        event = AuditEvent.objects.get(account=accounts[slug], action="codes.copy")
        assert (event.channel, event.actor_id, event.outcome) == ("web", master.pk, "success")
    assert AuditEvent.objects.filter(account=filled, action="codes.copy").count() == 2


def test_replace_from_the_preview_choice(client, accounts, filled):
    seed(accounts["south"], diagnosis=[{"code": "F411", "description": "Ours"}])
    client.post(url("run"), form(differences="replace"))
    assert rows_of(DiagnosisCode, accounts["south"]).get(code="F411").description != "Ours"


def test_privileges_are_checked_again_at_copy_now(client, master, accounts, filled):
    assert client.get(url("preview"), form()).status_code == 200
    set_levels(master, accounts["south"], diagnosis_codes=Level.VIEW)
    response = client.post(url("run"), form())
    assert response.status_code == 403
    assert "Full Access" in response.content.decode()
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 0
    assert AuditEvent.objects.filter(account=accounts["south"], action="codes.copy", outcome="denied").exists()


@pytest.mark.parametrize("field", ["source", "destinations"])
def test_forged_requests_cannot_reach_other_accounts(client, accounts, filled, field):
    other = make_account("Lakeside Therapy", "lakeside")
    seed(other, diagnosis=[{"code": "Z000", "description": "Theirs"}])
    data = form(**{field: other.slug if field == "source" else [other.slug]})
    for response in (client.get(url("preview"), data), client.post(url("run"), data)):
        assert response.status_code == 403
        assert "has not joined" in response.content.decode()
    assert list(rows_of(DiagnosisCode, other).values_list("code", flat=True)) == ["Z000"]
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 0
    assert not AuditEvent.objects.filter(account=other, action="codes.copy").exists()
    assert AuditEvent.objects.filter(account=accounts["north"], action="codes.copy", outcome="denied").count() == 2


@pytest.mark.parametrize("data", [
    {},
    form(source=""),
    form(destinations=[]),
    form(files=[]),
    form(files=["diagnosis", "clients"]),
    form(source="x" * 61),
    form(source="nörth"),
    form(destinations=["south\u202e"]),
    form(destinations=["so uth"]),
    form(destinations=["north"]),
    form(differences="maybe"),
    form(differences=""),
    form(destinations=[f"a{i}" for i in range(51)]),
])
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, accounts, filled, data):
    response = client.post(url("run"), data)
    assert response.status_code == 400
    assert b'class="error' in response.content
    assert rows_everywhere(DiagnosisCode).exclude(account=filled).count() == 0
    if not data:  # no choices at all (as from the provider dropdown): back to the choices
        assert client.get(url("preview"), data)["Location"] == url("start")
    elif "differences" not in data or data["differences"] in ("keep", "replace"):
        assert client.get(url("preview"), data).status_code == 400


def test_copy_now_needs_post_and_a_csrf_token(master, accounts, filled):
    client = login_client(master, csrf=True)
    assert client.get(url("run"), form()).status_code == 405
    assert client.post(url("run"), form()).status_code == 403
    assert login_client(master).post(url("preview"), form()).status_code == 405
    assert rows_of(DiagnosisCode, accounts["south"]).count() == 0
