"""Recovery codes: a django-otp device of our own, because its static tokens are stored in plain text."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django_otp.models import Device

from practicegate.twofactor.hashing import code_matches
from practicegate.twofactor.recovery import normalize_recovery_code


class RecoveryCodeDevice(Device):
    """One per username with two-factor log-in; its codes each verify once.

    Being a django-otp Device, a log-in with a recovery code marks the session
    verified (request.user.is_verified()) exactly as an authenticator code does.
    """

    class Meta(Device.Meta):
        verbose_name = "recovery code set"

    def verify_token(self, token) -> bool:
        code = normalize_recovery_code(str(token))
        if code is None:
            return False
        for row in self.codes.filter(used_at__isnull=True).order_by("id"):
            if code_matches(code, row.code_hash):
                # The conditional update makes a code single-use even if two requests race.
                return RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
                    used_at=timezone.now()) == 1
        return False

    def codes_left(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    """A single-use code, kept only as an Argon2id hash (see hashing.py)."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"recovery code {self.pk} ({'used' if self.used_at else 'unused'})"


class PasskeyDevice(Device):
    """A passkey (a WebAuthn credential): a key pair whose private half never leaves the phone,
    computer or security key that made it. Being a django-otp Device, a log-in with it marks
    the session verified exactly as an authenticator code does. The checks live in passkeys.py.
    """

    credential_id = models.CharField(max_length=1400, unique=True)  # base64url, as browsers send it
    credential_data = models.BinaryField()  # the public key with its credential id (CTAP's format)
    user_handle = models.CharField(max_length=100)  # the username's WebAuthn id (base64url), not its name
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(Device.Meta):
        verbose_name = "passkey"

    def verify_token(self, token) -> bool:
        return False  # a passkey answers a challenge in the browser; it is never typed
