"""Account pages that belong to no feature: the account home, switching, settings."""

from __future__ import annotations

from functools import lru_cache

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
from practicegate.accounts.selectors import membership_for
from practicegate.audit.services import record
from practicegate.core.decorators import account_view, signed_in
from practicegate.core.middleware import needed_level
from practicegate.core.sections import BY_KEY, MEMBERS, Level


@account_view(MEMBERS)
@require_GET
def account_home(request, account):
    return render(request, "core/account_home.html")


@account_view("clients")
@require_GET
def clients_index(request, account):
    """Clients arrive in a later release; the section exists so privileges can be set now."""
    return render(request, "core/section_placeholder.html", {"section": BY_KEY["clients"]})


@account_view("settings")
@require_http_methods(["GET", "POST"])
def account_settings(request, account):
    acct = request.account
    form = AccountSettingsForm(request.POST if request.method == "POST" else None, initial={"name": acct.name, "email": acct.email})
    if request.method == "POST" and form.is_valid():
        services.account_update(actor=request.user, account=acct, request=request, **form.cleaned_data)
        messages.success(request, "Account settings saved.")
        return redirect("core:account-settings", account=acct.slug)
    return render(request, "core/account_settings.html", {"form": form}, status=400 if form.errors else 200)


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
    if set(match.kwargs) == {"account"} and (section == MEMBERS or target.can(section, needs)):
        try:
            return reverse(match.view_name, kwargs={"account": target.account.slug})
        except NoReverseMatch:  # an unnamed route cannot be rebuilt
            pass
    return section_index_url(section, target.account.slug) if section != MEMBERS else None


@signed_in
@require_GET
def switch_account(request):
    """The provider dropdown: open the same page in another account, else its home."""
    target = membership_for(request.user, str(request.GET.get("to", ""))[:60])
    if target is None:
        raise Http404("No such account")
    from_path = str(request.GET.get("from", ""))[:500]
    if not url_has_allowed_host_and_scheme(from_path, allowed_hosts=None):
        from_path = ""
    destination = (_same_page_in(target, from_path) if from_path else None) or reverse(
        "core:account-home", kwargs={"account": target.account.slug}
    )
    record("account.switch", account=target.account, actor=request.user, request=request,
           detail={"to_path": destination[:200]})
    return redirect(destination)
