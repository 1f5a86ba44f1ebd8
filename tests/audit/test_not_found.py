"""Refused requests leave a trace (issue 11, finding 6): a 404 for an account URL is logged
in the username's own home account when it is not a member (the account named learns
nothing), and in the account itself for a foreign or missing id inside an account it belongs to."""

from __future__ import annotations

import re

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.masterfiles.models import DiagnosisCode
from tests.helpers import login_client, rows_of

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def not_found_in(account):
    return AuditEvent.objects.filter(account=account, action="access.not_found")


def test_a_foreign_account_url_is_logged_in_the_askers_home_account_only(owner_account, outsider, other_account):
    client = login_client(outsider)
    path = f"/a/{owner_account.slug}/diagnosis-codes/"
    before = AuditEvent.objects.filter(account=owner_account).count()
    assert client.get(path).status_code == 404
    assert AuditEvent.objects.filter(account=owner_account).count() == before
    event = not_found_in(other_account).get()
    assert event.actor_id == outsider.id and event.outcome == "denied"
    assert event.detail == {"method": "GET", "path": path, "where": "not_member"}


def test_a_missing_account_and_a_foreign_account_get_the_same_404(owner_account, outsider, other_account):
    client = login_client(outsider)
    foreign = client.get(f"/a/{owner_account.slug}/diagnosis-codes/")
    missing = client.get("/a/no-such-practice/diagnosis-codes/")
    assert foreign.status_code == missing.status_code == 404
    # Identical bytes, but for the per-response mask of the CSRF token (random on every page).
    assert CSRF.sub(b"", foreign.content) == CSRF.sub(b"", missing.content)
    assert sorted(k for k in foreign.headers if k != "X-Request-ID") == sorted(
        k for k in missing.headers if k != "X-Request-ID")
    assert not_found_in(other_account).count() == 2


def test_a_foreign_id_inside_a_member_account_is_logged_there(owner_account, owner, other_account):
    theirs = rows_of(DiagnosisCode, other_account).create(account=other_account, code="F411", description="Anxiety")
    client = login_client(owner)
    path = f"/a/{owner_account.slug}/diagnosis-codes/{theirs.pk}/"
    assert client.get(path).status_code == 404
    event = not_found_in(owner_account).get()
    assert event.actor_id == owner.id and event.section == "diagnosis_codes"
    assert event.detail == {"method": "GET", "path": path, "where": "member"}
    assert not AuditEvent.objects.filter(account=other_account, action="access.not_found").exists()
    assert not AuditEvent.objects.filter(account=owner_account, action="page.view", detail__path=path).exists()


def test_a_post_to_a_missing_id_is_logged_and_changes_nothing(owner_account, owner):
    client = login_client(owner)
    path = f"/a/{owner_account.slug}/diagnosis-codes/999999/delete/"
    assert client.post(path).status_code == 404
    assert not_found_in(owner_account).get().detail["method"] == "POST"


def test_visitors_are_not_logged(owner_account, client):
    assert client.get(f"/a/{owner_account.slug}/diagnosis-codes/").status_code == 302
    assert not AuditEvent.objects.filter(action="access.not_found").exists()
