"""What every page's frame needs: the left menu, the provider dropdown, reminders."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from practicegate.accounts.account_views import menu_of
from practicegate.accounts.selectors import accounts_of
from practicegate.core.sections import Level


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
        context["menu"] = menu_of(request)
        context["levels"] = {key: int(level) for key, level in levels.items()}
        context["can_edit"] = {key: level >= Level.FULL for key, level in levels.items()}
        context["current_account"] = account
        mine = getattr(request, "my_accounts", None)  # AccountMiddleware read them with the membership
        context["my_accounts"] = mine if mine is not None else accounts_of(user)
    context["frame_top"] = _frame_top(request, user, account, context.get("my_accounts"))
    if account is not None:
        context["frame_menu"] = _frame_menu(request, account, context["menu"])
    return context


SEARCH_ABOVE = 7  # accounts in the dropdown from which it offers a search box


@lru_cache(maxsize=64)
def _links(script_prefix: str, urlconf) -> dict[str, str]:
    names = {"home": "home", "switch": "switch", "find": "clients_all:find", "password": "password_change",
             "activity": "my_activity:index", "twofactor": "twofactor:index", "logout": "logout",
             "email": "own_email",  # My e-mail: e-mail and password recovery (issue 26)
             "sessions": "sessions:index"}
    return {key: reverse(name) for key, name in names.items()}


def frame_links() -> dict[str, str]:
    """The frame's fixed links, reversed once per URL configuration."""
    return _links(get_script_prefix(), get_urlconf())


@lru_cache(maxsize=4096)
def _home_url(slug: str, script_prefix: str, urlconf) -> str:
    return reverse("core:account-home", kwargs={"account": slug})


def _frame_top(request, user, account, my_accounts) -> dict:
    """What core/_topbar.html shows (a fragment: plain values only, see core.templatetags.fragments)."""
    links = frame_links()
    data = {"links": links, "username": user.username, "account_name": None}
    if account is not None:
        back = quote(request.path, safe="/")
        data["account_name"] = account.name
        data["search"] = len(my_accounts) > SEARCH_ABOVE
        data["accounts"] = [(f"{links['switch']}?to={quote(slug, safe='/')}&from={back}", slug, name,
                             slug == account.slug) for slug, name in my_accounts]
    return data


def _frame_menu(request, account, menu) -> dict:
    """What core/_leftmenu.html shows (a fragment, like _frame_top)."""
    home = _home_url(account.slug, get_script_prefix(), get_urlconf())
    return {"home_url": home, "home_current": request.path == home,
            "items": [(i["url"], i["key"], str(i["label"]), i["current"], i["view_only"]) for i in menu]}
