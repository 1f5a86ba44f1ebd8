"""Kept CSV previews: a preview removes only its own account's expired ones, logged; a command purges the rest."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import get_resolver, reverse
from django.utils import timezone

from practicegate.audit.models import AuditEvent, Channel
from practicegate.records.models import PendingImport
from practicegate.records.pending import PENDING_IMPORT_TTL
from tests.helpers import rows_everywhere, rows_of
from tests.masterfiles.helpers import upload

pytestmark = pytest.mark.django_db
CSV = "code,description\nF41.1,Anxiety\n"


def pending(account, user, kind="diagnosis", age=timedelta(0)):
    return rows_of(PendingImport, account).create(account=account, user=user, kind=kind, token=secrets.token_hex(8),
                                        data=CSV.encode(), created_at=timezone.now() - age)


EXPIRED = PENDING_IMPORT_TTL + timedelta(minutes=1)


def test_a_preview_leaves_other_accounts_previews_alone(owner_client, owner_account, other_account, outsider):
    theirs = pending(other_account, outsider, age=EXPIRED)
    assert upload(owner_client, owner_account, "diagnosis", CSV).status_code == 200
    assert rows_everywhere(PendingImport).filter(pk=theirs.pk).exists()
    assert not AuditEvent.objects.filter(account=other_account).exclude(action__startswith="auth.").exists()


def test_a_preview_removes_its_own_accounts_expired_previews_and_says_so(owner_client, owner_account, owner,
                                                                          member):
    old_own = pending(owner_account, owner, age=EXPIRED)
    old_member = pending(owner_account, member, kind="payer", age=EXPIRED)
    fresh_member = pending(owner_account, member)
    assert upload(owner_client, owner_account, "diagnosis", CSV).status_code == 200
    left = set(rows_of(PendingImport, owner_account).values_list("pk", flat=True))
    assert old_own.pk not in left and old_member.pk not in left and fresh_member.pk in left
    event = AuditEvent.objects.filter(account=owner_account, action="diagnosis.import_preview").get()
    assert event.detail["previews_removed"] == 2


def test_the_purge_command_logs_per_account_and_keeps_fresh_ones(owner_account, owner, other_account, outsider):
    pending(owner_account, owner, age=EXPIRED)
    pending(owner_account, owner, kind="payer", age=EXPIRED)
    pending(other_account, outsider, kind="billing", age=EXPIRED)
    fresh = pending(other_account, outsider)
    out = io.StringIO()
    call_command("codes", "purge-imports", stdout=out)
    assert list(rows_everywhere(PendingImport).values_list("pk", flat=True)) == [fresh.pk]
    ours = AuditEvent.objects.get(account=owner_account, action="masterfiles.import_previews_purge")
    theirs = AuditEvent.objects.get(account=other_account, action="masterfiles.import_previews_purge")
    assert ours.detail == {"diagnosis": 1, "payer": 1} and theirs.detail == {"billing": 1}
    assert ours.channel == theirs.channel == Channel.CLI
    assert "3 expired" in out.getvalue()
    # Nothing left to purge: no events at all.
    call_command("codes", "purge-imports", stdout=io.StringIO())
    assert AuditEvent.objects.filter(action="masterfiles.import_previews_purge").count() == 2


def _row_counts() -> dict:
    skip = {"audit", "sessions", "axes"}
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.app_label not in skip}


def test_no_get_of_the_master_files_writes(owner_client, owner_account, owner, rows):
    """Every route of the master files and Copy Codes, asked with GET, changes no row (events aside)."""
    pending(owner_account, owner, age=EXPIRED)
    before = _row_counts()
    walked = []
    for namespace in ("masterfiles", "copy"):
        for name in get_resolver().namespace_dict[namespace][1].reverse_dict:
            if not isinstance(name, str):
                continue
            kind, _, action = name.partition("-")
            kwargs = {"account": owner_account.slug}
            if action in {"edit", "deactivate", "reactivate", "delete"}:
                kwargs["pk"] = rows[kind].pk
            response = owner_client.get(reverse(f"{namespace}:{name}", kwargs=kwargs), {"source": owner_account.slug})
            assert response.status_code < 500, name
            walked.append(name)
    assert len(walked) >= 28
    assert _row_counts() == before
