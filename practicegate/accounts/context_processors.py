"""What every page's frame needs: the left menu, the provider dropdown, reminders."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from practicegate.accounts.account_views import section_index_url
from practicegate.accounts.selectors import accounts_of
from practicegate.core.sections import SECTIONS, Level


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context: dict = {
        "password_is_old": user.password_changed_at
        < timezone.now() - timedelta(days=settings.PASSWORD_REMINDER_DAYS),
    }
    account = getattr(request, "account", None)
    if account is not None:
        levels = request.levels
        context["menu"] = [
            _menu_item(s, section_index_url(s.key, account.slug), Level(levels[s.key]), request)
            for s in SECTIONS
            if levels.get(s.key, Level.NONE) >= Level.VIEW
        ]
        context["levels"] = {key: int(level) for key, level in levels.items()}
        context["can_edit"] = {key: level >= Level.FULL for key, level in levels.items()}
        context["current_account"] = account
        mine = getattr(request, "my_accounts", None)  # AccountMiddleware read them with the membership
        context["my_accounts"] = mine if mine is not None else accounts_of(user)
    return context


def _menu_item(section, url, level, request) -> dict:
    """One entry of the left menu, with what the frame prints already worked out (the frame
    is on every page: a comparison here is cheaper than the same one in the template)."""
    current = ""
    if getattr(request, "section", None) == section.key:
        current = "page" if request.path == url else "true"
    return {"section": section, "key": section.key, "label": section.label, "url": url, "level": level,
            "current": current, "view_only": level == Level.VIEW}
