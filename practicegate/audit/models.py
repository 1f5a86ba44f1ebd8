"""Activity-log storage: one hash chain per account plus one system chain.

The events table is insert-only: database triggers (see the migration) refuse
UPDATE and DELETE, so not even a raw SQL session can edit history unnoticed
without first dropping them, and `practicegate audit verify` catches that.
"""

from __future__ import annotations

import json

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Upper

from practicegate.audit.actions import ACTIONS
from practicegate.core.sections import BY_KEY


class Outcome(models.TextChoices):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


class Channel(models.TextChoices):
    WEB = "web"
    API = "api"
    CLI = "cli"


class AuditChain(models.Model):
    """Head of one chain: the row that serializes appends (locked by an UPDATE)."""

    # Null account: the system chain (events that belong to no account).
    account = models.OneToOneField(
        "accounts.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_chain"
    )
    seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)
    # Time of the head event: record() never stamps an event earlier (see AuditEvent.at).
    head_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # NULLs are distinct in a unique index, so index coalesce(): one system chain.
            models.UniqueConstraint(Coalesce("account", Value(0)), name="one_chain_per_account"),
        ]

    def __str__(self):
        return f"chain of account {self.account_id or 'system'} at {self.seq}"


class AuditEvent(models.Model):
    # No single-column indexes on the foreign keys: the composites below start with each.
    chain = models.ForeignKey(AuditChain, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              related_name="+")
    account = models.ForeignKey(
        "accounts.Account", null=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )
    seq = models.BigIntegerField()
    # Non-decreasing along a chain (record() enforces it), so a time range is a seq range.
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    action = models.CharField(max_length=64)
    section = models.CharField(max_length=32, blank=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique"),
        ]
        # Every index serves a query; each Activity Log filter ends in seq for the keyset page
        # (docs/activity-log.md lists which filter uses which; tests/audit/test_plans.py checks).
        indexes = [
            # No filter, and a date range (turned into a seq range).
            models.Index(fields=["account", "-seq"], name="audit_account_seq"),
            # Where a date range starts and ends in seq (ties on `at` broken by seq).
            models.Index(fields=["account", "at", "seq"], name="audit_account_at_seq"),
            models.Index("account", Upper("actor_username"), "seq", name="audit_account_uname"),
            models.Index(fields=["account", "action", "-seq"], name="audit_account_action"),
            models.Index(fields=["account", "section", "-seq"], name="audit_account_section"),
            models.Index(fields=["account", "outcome", "-seq"], name="audit_account_outcome"),
            # The target filters hold only events that have a target (not '': the selectors
            # repeat the condition, so SQLite's planner sees the index applies). A page view,
            # most of the log, has none: its append writes three index entries fewer.
            models.Index(fields=["account", "target_type", "-seq"], name="audit_target_type_set",
                         condition=~Q(target_type="")),
            models.Index(fields=["account", "target_id", "-seq"], name="audit_target_id_set",
                         condition=~Q(target_id="")),
            # A target: type and id together (SQLite, without statistics, would otherwise walk
            # every event of the type looking for the id).
            models.Index(fields=["account", "target_type", "target_id", "-seq"], name="audit_target_set",
                         condition=~Q(target_type="")),
            # My Activity: one username's events across accounts, newest first.
            models.Index(fields=["actor", "-id"], name="audit_actor_id"),
        ]

    def __str__(self):
        return f"{self.account_id}#{self.seq} {self.action} {self.outcome}"

    @property
    def label(self) -> str:
        return ACTIONS.get(self.action, self.action)

    @property
    def section_label(self) -> str:
        section = BY_KEY.get(self.section)
        return section.label if section else self.section

    @property
    def detail_lines(self) -> list[tuple[str, str]]:
        """The detail as readable "key: value" lines; nested keys joined with dots, sections named."""
        def name(key) -> str:
            return BY_KEY[key].label if key in BY_KEY else str(key)

        def flat(value, prefix=""):
            if isinstance(value, dict) and value:
                for key in sorted(value, key=str):
                    yield from flat(value[key], f"{prefix}{name(key)}" if not prefix else f"{prefix} › {name(key)}")
            elif isinstance(value, list):
                yield prefix, ", ".join(name(v) if isinstance(v, str) else json_text(v) for v in value)
            else:
                yield prefix, name(value) if isinstance(value, str) else json_text(value)

        def json_text(value) -> str:
            return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value

        return list(flat(self.detail or {}))

    @property
    def detail_json(self) -> str:
        return json.dumps(self.detail, sort_keys=True, ensure_ascii=False)


class AuditCheckpoint(models.Model):
    """A chain's head (account, seq, hash, time) signed with the Ed25519 key kept outside the database."""

    chain = models.ForeignKey(AuditChain, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=128)  # hex of the 64-byte Ed25519 signature

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_checkpoint_chain_seq"),
        ]

    def __str__(self):
        return f"checkpoint of chain {self.chain_id} at {self.seq}"
