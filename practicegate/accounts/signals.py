from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def stamp_session(sender, request, user, **kwargs):
    """Start the session clocks: absolute lifetime, inactivity, and last password entry."""
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session["pg_started"] = now
    request.session["pg_last"] = now
    request.session["pg_auth_at"] = now
