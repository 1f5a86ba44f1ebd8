"""An uploaded CSV kept between its preview and the user's confirmation (every importer).

The file is kept in the database (PendingImport, so any app server can finish the
import), one per username and account, for an hour; confirming takes it, once.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from practicegate.accounts.models import Account
from practicegate.audit.models import Channel
from practicegate.audit.services import record
from practicegate.core.scoping import account_scope, across_accounts
from practicegate.records.models import PendingImport

PENDING_IMPORT_TTL = timedelta(hours=1)


def pending_store(*, account, user, kind: str, data: bytes, filename: str = "") -> tuple[str, int]:
    """Keep `data` for this username and account; return its token and how many kept files went.

    This username's earlier one in the account is replaced, and the account's own expired
    ones are removed (never another account's: `practicegate codes purge-imports`, run by a
    timer, removes the rest account by account, with an event each). The caller's event
    records the count."""
    own = PendingImport.objects.filter(account=account)
    removed, _ = (own.filter(user=user) | own.filter(created_at__lt=timezone.now() - PENDING_IMPORT_TTL)
                  ).delete()
    token = secrets.token_urlsafe(32)
    PendingImport.objects.create(account=account, user=user, kind=kind, token=token,
                                 filename=filename[:200], data=data)
    return token, removed


def pending_read(*, account, user, kind: str, token: str) -> bytes | None:
    """The kept file's bytes, left in place (the preview page shows it again); None if unknown or expired."""
    pending = PendingImport.objects.filter(account=account, user=user, kind=kind,
                                           token=str(token)[:64]).first()
    if pending is None or pending.created_at < timezone.now() - PENDING_IMPORT_TTL:
        return None
    return bytes(pending.data)


def pending_take(*, account, user, kind: str, token: str) -> bytes | None:
    """The kept file's bytes, removed so they import once; None if unknown or expired."""
    pending = PendingImport.objects.filter(account=account, user=user, kind=kind,
                                           token=str(token)[:64]).first()
    if pending is None:
        return None
    pending.delete()
    if pending.created_at < timezone.now() - PENDING_IMPORT_TTL:
        return None
    return bytes(pending.data)


def pending_imports_purge(*, channel=Channel.CLI) -> int:
    """Delete every expired CSV preview, one transaction and one event per account (for a timer)."""
    cutoff = timezone.now() - PENDING_IMPORT_TTL
    with across_accounts():  # the one place previews of all accounts are looked at together
        account_ids = sorted(set(PendingImport.objects.filter(created_at__lt=cutoff)
                                 .values_list("account_id", flat=True)))
    total = 0
    for account in Account.objects.filter(pk__in=account_ids).order_by("pk"):
        with account_scope(account), transaction.atomic():
            expired = PendingImport.objects.filter(account=account, created_at__lt=cutoff)
            per_kind = dict(Counter(expired.values_list("kind", flat=True)))
            expired.delete()
            if per_kind:
                # The action keeps the name it had when only the master files kept previews.
                record("masterfiles.import_previews_purge", account=account, channel=channel,
                       target_type="masterfiles.pendingimport", detail=dict(sorted(per_kind.items())))
            total += sum(per_kind.values())
    return total
