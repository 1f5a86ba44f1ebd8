"""Sending e-mail: the one place the project hands a message to Django's mail backend.

`send_to_user` writes only to a username's confirmed address (an address still waiting
for its confirmation link is never used); `send_to_address` writes to the address given.
Both return whether the message was handed over. A mail server that is down or refuses
the message is logged and answered with False: the page or notice that sent it goes on.
The backend is Django's configured one (SMTP when PRACTICEGATE_EMAIL_HOST is set, the
console otherwise).
"""

from __future__ import annotations

import logging
import smtplib

from django.core.mail import send_mail

logger = logging.getLogger(__name__)


def site_of(request) -> str:
    """The scheme and host that links in mail start with, as the request reached us (ALLOWED_HOSTS-checked)."""
    return request.build_absolute_uri("/").rstrip("/")


def confirmed_address(user) -> str:
    """The username's confirmed e-mail address, or "" when it has none."""
    if user is None or not getattr(user, "email_confirmed_at", None):
        return ""
    return user.email or ""


def send_to_address(address: str, subject: str, body: str) -> bool:
    """Send a plain-text message to `address`; whether the mail server took it."""
    address = (address or "").strip()
    if not address or "\n" in address or "\r" in address:
        return False
    subject = " ".join(str(subject).split())  # a header: one line
    try:
        return send_mail(subject, body, None, [address], fail_silently=False) == 1
    except (smtplib.SMTPException, OSError, ValueError):
        logger.warning("Could not send the e-mail %r: the mail server did not take it.", subject, exc_info=True)
        return False


def send_to_user(user, subject: str, body: str) -> bool:
    """Send to the username's confirmed address; False (nothing sent) when it has none."""
    address = confirmed_address(user)
    if not address:
        return False
    return send_to_address(address, subject, body)
