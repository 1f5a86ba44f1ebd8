"""Request-wide rules every page shares: request ids and security headers.

The account's access rule (access.middleware) and session lifetimes (accounts.middleware)
live with the apps whose rules they apply.
"""

from __future__ import annotations

import uuid


class FrameMiddleware:
    """A request id for every request (the activity log keeps it), and the security headers
    of every response. One layer, outside the session's: the headers are set on the way out,
    once every inner layer (the user, the account) has had its say."""

    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/a/"):
            response["Cache-Control"] = "no-store"
        return response
