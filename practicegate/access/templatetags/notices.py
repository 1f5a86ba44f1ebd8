"""The owner notices on the account home (feature: roles): `{% owner_notices %}`.

Shown only to the owner and usernames with Full Access to Account Access, and only the
account's own notices (the request's account, read from it)."""

from __future__ import annotations

from django import template

from practicegate.access import notices

register = template.Library()


@register.inclusion_tag("access/_notices.html", takes_context=True)
def owner_notices(context):
    request = context.get("request")
    account = getattr(request, "account", None)
    membership = getattr(request, "membership", None)
    if account is None or not notices.may_see(membership):
        return {"show": False}
    return {"show": True, "notices": notices.unread_for(account, request.user), "slug": account.slug}
