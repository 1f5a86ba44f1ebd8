"""record_many(): one event in each of several chains, linked exactly as record() links them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practicegate.audit.models import AuditChain, AuditEvent
from practicegate.audit.services import Entry, record, record_many
from practicegate.audit.verify import verify_chain
from tests.helpers import make_account

pytestmark = pytest.mark.django_db


def test_events_interleave_with_record_and_every_chain_verifies(owner_account, other_account, owner):
    record("page.view", account=owner_account, actor=owner)
    written = record_many("phi.view", [Entry(owner_account, "client", 7, {"tab": "x"}),
                                       Entry(other_account, "client", 8)], actor=owner, section="clients")
    record("page.view", account=other_account, actor=owner)
    assert len(written) == 2 and all(e.pk for e in written)
    mine = AuditEvent.objects.filter(account=owner_account).order_by("seq")
    seqs = list(mine.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    event = mine.filter(action="phi.view").get()
    assert (event.target_type, event.target_id, event.detail, event.actor_username) == (
        "client", "7", {"tab": "x"}, owner.username)
    for chain in AuditChain.objects.filter(account__in=[owner_account, other_account]):
        assert verify_chain(chain) == []
        assert chain.head_hash == AuditEvent.objects.filter(chain=chain).order_by("-seq").first().hash


def test_the_queries_are_the_same_for_two_and_sixty_accounts(db, monkeypatch):
    from practicegate.audit import services

    accounts = [make_account(f"Many {i}", f"many{i}") for i in range(60)]
    monkeypatch.setattr(services, "_parameter_limit", lambda: 999)  # SQLite's smallest limit still fits one row
    counts = []
    for group in (accounts[:2], accounts):
        with CaptureQueriesContext(connection) as captured:
            record_many("phi.view", [Entry(a) for a in group])
        counts.append(len(captured))
    monkeypatch.undo()
    with CaptureQueriesContext(connection) as captured:
        record_many("phi.view", [Entry(a) for a in accounts])
    assert counts[1] == counts[0] + 1  # at 999 values a statement, 60 rows of 18 columns need two INSERTs
    assert len(captured) == counts[0]
    for chain in AuditChain.objects.filter(account__in=accounts[:3]):
        assert verify_chain(chain) == []


def test_it_refuses_an_unknown_action(owner_account):
    from practicegate.audit.services import UnknownAction

    with pytest.raises(UnknownAction):
        record_many("no.such", [Entry(owner_account)])


def test_many_events_in_one_chain_follow_each_other(owner_account, other_account, owner):
    events = record_many("phi.view", [Entry(owner_account, "client", i) for i in range(1500)]
                         + [Entry(other_account, "client", 1)], actor=owner)
    mine = [e for e in events if e.account_id == owner_account.pk]
    assert [e.seq for e in mine] == list(range(mine[0].seq, mine[0].seq + 1500))
    stored = dict(AuditEvent.objects.filter(pk__in=[e.pk for e in mine]).values_list("pk", "target_id"))
    assert [stored[e.pk] for e in mine] == [str(i) for i in range(1500)]
    for chain in AuditChain.objects.filter(account__in=[owner_account, other_account]):
        assert verify_chain(chain) == []
