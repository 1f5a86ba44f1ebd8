"""Usernames, provider accounts and the memberships that join them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from practicegate.accounts.usernames import KEY_MAX_LENGTH, username_key, username_skeleton
from practicegate.core.localtime import ZONE_MAX_LENGTH, default_zone
from practicegate.core.sections import Level, clean_levels, full_levels, level_of


class CaseInsensitiveUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username_key=username_key(username))

    def named(self, username: str):
        """The usernames (none or one) that `username` names, in any letter case."""
        return self.filter(username_key=username_key(username))


class User(AbstractUser):
    """A login. Usernames are unique system-wide, compared by their case-folded key."""

    # The confirmed address (used for password resets and notices once email_confirmed_at is set);
    # a new address waits in pending_email until the link mailed to it is opened.
    email = models.EmailField(blank=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    pending_email = models.EmailField(blank=True, default="")
    pending_email_at = models.DateTimeField(null=True, blank=True)  # when it was entered: its link names it
    # Kept in step with `username` by save(): the unique key log-in looks up, and the look-alike skeleton.
    username_key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True, editable=False)
    username_skeleton = models.CharField(max_length=KEY_MAX_LENGTH, db_index=True, editable=False)
    password_changed_at = models.DateTimeField(default=timezone.now)
    # The account this username was created in (sign-up or Allow Account Access).
    home_account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The zone of this username's own pages (My Activity, two-factor set-up); blank: its home account's.
    time_zone = models.CharField(max_length=ZONE_MAX_LENGTH, blank=True, default="")

    objects = CaseInsensitiveUserManager()

    class Meta:  # its own, so AbstractUser's options are not taken over
        constraints: list = []

    def save(self, *args, **kwargs):
        self.username_key = username_key(self.username)
        self.username_skeleton = username_skeleton(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key", "username_skeleton"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class Account(models.Model):
    """A provider account: the tenant. Every tenant table carries its id."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField("provider name", max_length=120)
    email = models.EmailField()
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_accounts")
    created_at = models.DateTimeField(default=timezone.now)
    # Levels a newly added or joined username starts with (empty: Full Access everywhere).
    default_levels = models.JSONField(default=dict, blank=True)
    require_two_factor = models.BooleanField(default=False)
    # Every time on the account's pages is shown in this IANA zone (stored times stay UTC).
    time_zone = models.CharField(max_length=ZONE_MAX_LENGTH, default=default_zone)
    # Emergency access ("break the glass", access.emergency): off until the owner turns it on.
    emergency_access = models.BooleanField(default=False)
    emergency_minutes = models.PositiveSmallIntegerField(default=60)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def new_member_levels(self) -> dict[str, int]:
        levels = clean_levels(self.default_levels) if self.default_levels else full_levels()
        return levels


class Membership(models.Model):
    """One username's access to one account: a level per section, stored as data."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    levels = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["account", "user"])]

    def __str__(self):
        return f"{self.user.username} in {self.account.slug}"

    @property
    def is_owner(self) -> bool:
        return self.account.owner_id == self.user_id

    def level(self, section: str) -> Level:
        if self.is_owner:
            return Level.FULL
        return level_of(self.levels, section)

    def can(self, section: str, needed: Level) -> bool:
        return self.level(section) >= needed


class ResetThrottle(models.Model):
    """Forgot-password requests counted per typed username or address and per IP, in a window."""

    key = models.CharField(max_length=200, unique=True)  # "ip:<address>" or "who:<hash of what was typed>"
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.count} since {self.window_start:%Y-%m-%d %H:%M}"
class UserSession(models.Model):
    """One signed-in browser of a username: what "Your sessions" lists (accounts/sessions.py).

    The session itself stays in Django's session table; this row names it only by the
    SHA-256 of its key, never the key, and is kept in the database so every app server
    sees the same list.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    ip = models.CharField(max_length=45, blank=True, default="")
    user_agent = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "last_seen_at"], name="usersession_user_seen")]

    def __str__(self):
        return f"session {self.pk} of {self.user_id}"
