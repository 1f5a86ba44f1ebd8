"""Who acts and from where: the audit context, built once per request and handed to services.

A service writes its events with `record(..., context=context)`; it never needs the request
for that. On the web the context is built the first time anything of the request asks for it
(`audit_context(request)`, kept as `request.audit`): the access middleware asks before the
view runs, the session-lifetime middleware earlier when it ends a session. A command builds
its own (`AuditContext.command()`), or passes none: then the event's channel is the command
line and it has no IP, user agent or request id.

`written` counts the events recorded with the context. The access middleware reads it to
decide whether a GET that wrote nothing else is logged as a page view.
"""

from __future__ import annotations

from dataclasses import dataclass

from practicegate.audit.models import Channel


@dataclass(eq=False)
class AuditContext:
    # The session's signed-in username (as django-otp marked it: the membership rule asks it
    # whether this session entered a code). Events name their actor explicitly, as services do.
    actor: object = None
    ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    channel: str = Channel.CLI
    written: int = 0

    @classmethod
    def from_request(cls, request) -> AuditContext:
        meta = request.META
        user = getattr(request, "user", None)
        return cls(
            actor=user if user is not None and user.is_authenticated else None,
            ip=_text(getattr(request, "client_ip", None) or meta.get("REMOTE_ADDR"))[:45],
            user_agent=_text(meta.get("HTTP_USER_AGENT"))[:300],
            request_id=getattr(request, "request_id", "") or "",
            channel=Channel.WEB,
        )

    @classmethod
    def command(cls, actor=None, channel: str = Channel.CLI) -> AuditContext:
        return cls(actor=actor, channel=str(channel))


def _text(value) -> str:
    """A header as a text column takes it: PostgreSQL refuses NUL, so it is spelled out."""
    return (value or "").replace("\x00", "\\x00")


def audit_context(request) -> AuditContext | None:
    """The request's audit context, built on first use and kept on the request (None: no request)."""
    if request is None:
        return None
    context = request.__dict__.get("audit")
    if context is None:
        context = request.audit = AuditContext.from_request(request)
    return context
