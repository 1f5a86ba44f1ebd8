"""Join codes: a one-time way into an account without sharing its password."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from practicegate.core.scoping import tenant_manager


class JoinCode(models.Model):
    """A single-use code that lets one username join `account`.

    Only the SHA-256 of the code is stored: the code itself is shown once, to
    the username who made it, and cannot be read back from the database.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="join_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The role chosen when the code was made, copied (its name and levels), so that changing or
    # deleting the role later cannot widen what the code gives. No levels: the starting privileges.
    role_name = models.CharField(max_length=60, blank=True)
    role_levels = models.JSONField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self):
        return f"join code {self.pk} for account {self.account_id}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class FindAccountThrottle(models.Model):
    """Failed Find Account attempts of one signed-in username against one typed username.

    Counted apart from log-in (django-axes counts username + address): someone trying
    another account's password here can lock only their own further tries, never the
    owner of that username out of their own log-in.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=150)  # the typed username, case-folded
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "target"], name="find_throttle_actor_target")]

    def __str__(self):
        return f"find-account throttle of user {self.actor_id}"


# --- Roles (feature: roles) ---------------------------------------------------------------------

class Role(models.Model):
    """A named set of levels in one account ("Front desk", "Biller"), chosen when a username is
    added or a join code made, or applied to a username in several accounts at once.

    A role is a starting point, not a link: applying it copies its levels to the membership, so
    editing a role later changes no one's privileges.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=60)
    name_key = models.CharField(max_length=60, editable=False)  # case-folded: unique per account
    levels = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name_key"], name="role_unique_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = self.name.casefold()[:60]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


# --- Owner notices (feature: roles) -------------------------------------------------------------

class OwnerNotice(models.Model):
    """Something an account's owner should know (a username joined, privileges changed, emergency
    access used, two-factor requirement changed): shown on the account home to the owner and to
    usernames with Full Access to Account Access, until each of them marks it read."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="owner_notices")
    kind = models.CharField(max_length=20)
    text = models.CharField(max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self):
        return f"notice {self.pk} ({self.kind}) in account {self.account_id}"


class NoticeRead(models.Model):
    """One username marked one notice read: it no longer shows on that username's account home."""

    notice = models.ForeignKey(OwnerNotice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once")]

    def __str__(self):
        return f"notice {self.notice_id} read by user {self.user_id}"


class NoticeSetting(models.Model):
    """A username's own choice: no owner-notice e-mails (emergency access notices always send)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emails_off = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"notice setting of user {self.user_id}"


# --- Emergency access (feature: emergency) -------------------------------------------------------

class EmergencyAccess(models.Model):
    """One use of emergency access ("break the glass"): one username, one client, for a while.

    The client is named by its id and number only (clients sit above access in the layers);
    the grant lets the access middleware open that client's read-only pages until `ends_at`.
    Never deleted: the owners review each one, and the review is kept here and in the log.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="emergency_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.BigIntegerField()
    client_number = models.PositiveIntegerField()
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    review_note = models.TextField(blank=True)

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "user", "-ends_at"], name="emergency_account_user_end"),
                   models.Index(fields=["account", "-started_at"], name="emergency_account_started")]

    def __str__(self):
        return f"emergency access {self.pk} to client {self.client_number}"

    @property
    def is_active(self) -> bool:
        return self.ends_at > timezone.now()
