"""What the records layer keeps itself: uploaded CSV files between preview and confirmation."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from practicegate.core.scoping import tenant_manager


class PendingImport(models.Model):
    """An uploaded CSV between its preview and the user's confirmation (any importer).

    Kept in the database (not on one server's disk, not in the session) so any app
    server can finish the import; the confirm step parses it again from these bytes.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # the importer's key
    token = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=200, blank=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        # The table the master files created; the model moved here without moving its rows
        # (migrations records.0001 and masterfiles.0004).
        db_table = "masterfiles_pendingimport"

    def __str__(self):
        return f"{self.kind} import {self.filename}"
