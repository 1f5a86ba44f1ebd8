"""Account pages that belong to no feature: the account home, switching, settings."""

from __future__ import annotations

import inspect
from functools import lru_cache, partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import (
    NoReverseMatch,
    Resolver404,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
)
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from practicegate.accounts import services
from practicegate.accounts.forms import AccountSettingsForm
from practicegate.accounts.rule import Refusal, verdict_for
from practicegate.audit.services import record
from practicegate.core.decorators import account_view, needed_level, signed_in
from practicegate.core.errors import ServiceError
from practicegate.core.params import param
from practicegate.core.sections import BY_KEY, MEMBERS, SECTIONS, Level


@account_view(MEMBERS)
@require_GET
def account_home(request, account):
    # The page's content is a fragment (core.templatetags.fragments): plain values only.
    home = {"name": request.account.name, "username": request.user.username,
            "sections": [(item["url"], str(item["label"]), str(item["level"].label)) for item in menu_of(request)]}
    return render(request, "core/account_home.html", {"home": home})


@account_view("settings")
@require_http_methods(["GET", "POST"])
def account_settings(request, account):
    acct = request.account
    form = AccountSettingsForm(request.POST if request.method == "POST" else None,
                               initial={"name": acct.name, "email": acct.email, "time_zone": acct.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(actor=request.user, account=acct, context=request.audit, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error("time_zone", str(exc))
        else:
            messages.success(request, "Account settings saved.")
            return redirect("core:account-settings", account=acct.slug)
    return render(request, "core/account_settings.html", {"form": form}, status=400 if form.errors else 200)


def menu_of(request) -> list[dict]:
    """The left menu of the request's account: the sections open to this username, each with
    its link and level (worked out once per request; the frame and the home page show it)."""
    menu = getattr(request, "_pg_menu", None)
    if menu is None:
        levels, slug = request.levels, request.account.slug
        menu = request._pg_menu = [
            _menu_item(s, section_index_url(s.key, slug), Level(levels[s.key]), request)
            for s in SECTIONS if levels.get(s.key, Level.NONE) >= Level.VIEW
        ]
    return menu


def _menu_item(section, url, level, request) -> dict:
    """One entry of the left menu, with what the frame prints already worked out (the frame
    is on every page: a comparison here is cheaper than the same one in the template)."""
    current = ""
    if getattr(request, "section", None) == section.key:
        current = "page" if request.path == url else "true"
    return {"section": section, "key": section.key, "label": section.label, "url": url, "level": level,
            "current": current, "view_only": level == Level.VIEW}


def section_index_url(section_key: str, slug: str) -> str | None:
    return _section_index_url(section_key, slug, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=4096)  # the menu asks for every section on every page
def _section_index_url(section_key: str, slug: str, script_prefix: str, urlconf) -> str | None:
    section = BY_KEY.get(section_key)
    if section is None or section.menu_url is None:
        return None
    try:
        return reverse(section.menu_url, kwargs={"account": slug})
    except NoReverseMatch:
        return None


def accepts_get(view) -> bool:
    """Whether a view answers GET: False when one of its require_http_methods layers refuses it.

    Django's method decorators keep their list only in a closure, so walk the
    `__wrapped__` chain and read it there (tests/core checks this against real requests).
    """
    while view is not None:
        view_class = getattr(view, "view_class", None)  # a class-based view answers what it defines
        if view_class is not None and not hasattr(view_class, "get"):
            return False
        if isinstance(view, partial):  # one view bound to one kind (records.views.import_routes)
            view = view.func
            continue
        if not inspect.isfunction(view):
            return True
        methods = inspect.getclosurevars(view).nonlocals.get("request_method_list")
        if methods is not None and "GET" not in methods:
            return False
        view = getattr(view, "__wrapped__", None)
    return True


def _same_page_in(target, from_path: str) -> str | None:
    """The URL of the page at `from_path`, in the target membership's account, if allowed there."""
    try:
        match = resolve(from_path)
    except Resolver404:
        return None
    section = getattr(match.func, "pg_section", None)
    if section is None or "account" not in match.kwargs:
        return None
    if section != MEMBERS and not target.can(section, Level.VIEW):
        return None
    # A form page that needs Full Access there falls back to the section's index, like a
    # page about one object (a code, a payer), which does not exist in the other account.
    needs = Level.VIEW if section == MEMBERS else needed_level(match.func, "GET")
    if (set(match.kwargs) == {"account"} and accepts_get(match.func)
            and (section == MEMBERS or target.can(section, needs))):
        try:
            return reverse(match.view_name, kwargs={"account": target.account.slug})
        except NoReverseMatch:  # an unnamed route cannot be rebuilt
            pass
    return section_index_url(section, target.account.slug) if section != MEMBERS else None


@signed_in
@require_GET
def switch_account(request):
    """The provider dropdown: open the same page in another account, else its home.

    The membership rule decides: a stranger (or inactive username) gets 404; an account
    whose two-factor requirement this session has not met opens at its home, where the
    middleware sends the username to the code check (or set-up) like any member.
    """
    verdict = verdict_for(request.user, param(request.GET, "to")[:60], context=request.audit)
    if verdict.refusal is Refusal.NOT_MEMBER:
        raise Http404("No such account")
    target = verdict.membership
    if verdict.refusal is Refusal.TWO_FACTOR:
        return redirect("core:account-home", account=target.account.slug)
    from_path = param(request.GET, "from")[:500]
    if not url_has_allowed_host_and_scheme(from_path, allowed_hosts=None):
        from_path = ""
    destination = (_same_page_in(target, from_path) if from_path else None) or reverse(
        "core:account-home", kwargs={"account": target.account.slug}
    )
    record("account.switch", account=target.account, actor=request.user, context=request.audit,
           detail={"to_path": destination[:200]})
    return redirect(destination)
