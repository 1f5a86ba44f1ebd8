"""Find Account's own lock-out: failures counted per signed-in username and typed username.

Log-in's counter (django-axes, username + address) is left alone: Find Account checks
the password through the backend directly, not through authenticate(), so its misses
never count against, or lock, the owner's own log-in. The limit and the wait are
log-in's (PRACTICEGATE_LOGIN_FAILURE_LIMIT, PRACTICEGATE_LOCKOUT_MINUTES).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from practicegate.access.models import FindAccountThrottle


def _key(username: str) -> str:
    return str(username or "").strip().casefold()[:150]


def is_locked(actor, username: str) -> bool:
    return FindAccountThrottle.objects.filter(actor=actor, target=_key(username),
                                              locked_until__gt=timezone.now()).exists()


@transaction.atomic
def count_failure(actor, username: str) -> bool:
    """Count one miss; return whether this pair is now locked for the cool-off."""
    now = timezone.now()
    row, _ = FindAccountThrottle.objects.select_for_update().get_or_create(actor=actor, target=_key(username))
    if now - row.last_failure_at > settings.AXES_COOLOFF_TIME or (row.locked_until and row.locked_until <= now):
        row.failures, row.locked_until = 0, None  # an old run of misses is forgotten, as axes does
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= settings.AXES_FAILURE_LIMIT:
        row.locked_until = now + settings.AXES_COOLOFF_TIME
    row.save()
    return row.locked_until is not None


def clear(actor, username: str) -> None:
    FindAccountThrottle.objects.filter(actor=actor, target=_key(username)).delete()
