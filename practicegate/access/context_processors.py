"""Emergency access on every account page: the banner of a grant in force, the way in for a
member who may use it, and (on the account home) the uses still waiting for review."""

from __future__ import annotations

from practicegate.access import emergency


def emergency_access(request) -> dict:
    account = getattr(request, "account", None)
    if account is None:
        return {}
    membership = request.membership

    def pending():  # asked only by the account home's template: no query on other pages
        return emergency.unreviewed(account) if emergency.is_reviewer(membership) else []

    return {"emergency_grant": getattr(request, "emergency", None),
            "emergency_available": emergency.may_break_glass(membership),
            "emergency_pending": pending}
