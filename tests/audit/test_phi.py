"""record_phi_read: a successful read of a PHI page leaves a phi.view event."""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.core.sections import Level, full_levels
from tests.helpers import add_member, login_client, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.phi_urls")]


def new_events(since):
    return list(AuditEvent.objects.filter(id__gt=since).order_by("id"))


def last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_reading_a_phi_page_records_phi_view(owner_account, owner):
    client = login_client(owner)
    mark = last_id()
    response = client.get(f"/a/{owner_account.slug}/phi-test/77/", HTTP_USER_AGENT="pytest-agent")
    assert response.status_code == 200
    events = new_events(mark)
    assert [(e.action, e.target_type, e.target_id, e.section, e.account_id, e.actor_id, e.outcome)
            for e in events] == [("phi.view", "client", "77", "clients", owner_account.pk, owner.pk, "success")]
    assert events[0].user_agent == "pytest-agent"


def test_a_failed_read_records_no_phi_view(owner_account, owner):
    client = login_client(owner)
    mark = last_id()
    assert client.get(f"/a/{owner_account.slug}/phi-missing/5/").status_code == 404
    # The refusal itself is logged (issue 11, finding 6), with the path only.
    assert [(e.action, e.detail["path"]) for e in new_events(mark)] == [
        ("access.not_found", f"/a/{owner_account.slug}/phi-missing/5/")]


def test_a_refused_read_records_access_denied_only(owner_account):
    nosy = make_user("nosy")
    add_member(owner_account, nosy, {**full_levels(), "clients": int(Level.NONE)})
    client = login_client(nosy)
    mark = last_id()
    assert client.get(f"/a/{owner_account.slug}/phi-test/77/").status_code == 403
    assert [(e.action, e.outcome) for e in new_events(mark)] == [("access.denied", "denied")]

