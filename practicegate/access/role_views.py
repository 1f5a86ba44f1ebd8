"""Roles pages under Account Access, applying a role in several accounts, and owner notices
(feature: roles). Thin views: each parses a form and calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practicegate.access import notices, roles
from practicegate.access.forms import ApplyRoleForm, NoticeSettingsForm, RoleForm
from practicegate.core.decorators import account_view, signed_in
from practicegate.core.errors import ServiceError
from practicegate.core.params import all_values
from practicegate.core.reauth import reauth_required
from practicegate.core.sections import SECTIONS, Level

ACCESS = "account_access"


def _here(name: str, request, **kwargs) -> str:
    return reverse(f"access:{name}", kwargs={"account": request.account.slug, **kwargs})


def _posted(request):
    return request.POST if request.method == "POST" else None


def _role_or_404(request, role_id: int):
    role = roles.role_in(request.account, role_id)
    if role is None:
        raise Http404("No such role in this account")
    return role


def _rows(role):
    levels = roles.levels_of(role)
    return [(s.label, Level(levels[s.key])) for s in SECTIONS]


@account_view(ACCESS)
@require_GET
def role_list(request, account):
    return render(request, "access/roles.html", {
        "roles": [(role, _rows(role)) for role in roles.roles_of(request.account)],
    })


@account_view(ACCESS, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@reauth_required
def role_new(request, account):
    form = RoleForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            role = roles.role_create(actor=request.user, account=request.account, name=form.cleaned_data["name"],
                                     levels=form.levels(), context=request.audit)
        except ServiceError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Role {role.name} saved.")
            return redirect(_here("roles", request))
    return render(request, "access/role_form.html", {"form": form, "role": None},
                  status=400 if form.errors else 200)


@account_view(ACCESS, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@reauth_required
def role_edit(request, account, role_id):
    role = _role_or_404(request, role_id)
    form = RoleForm(_posted(request), initial_levels=roles.levels_of(role), initial={"name": role.name})
    if request.method == "POST" and form.is_valid():
        try:
            role = roles.role_change(actor=request.user, account=request.account, role=role,
                                     name=form.cleaned_data["name"], levels=form.levels(), context=request.audit)
        except ServiceError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Role {role.name} saved. Usernames already given it keep their privileges.")
            return redirect(_here("roles", request))
    return render(request, "access/role_form.html", {"form": form, "role": role},
                  status=400 if form.errors else 200)


@account_view(ACCESS, level=Level.FULL)
@require_POST
@reauth_required
def role_delete(request, account, role_id):
    role = _role_or_404(request, role_id)
    try:
        roles.role_delete(actor=request.user, account=request.account, role=role, context=request.audit)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Role {role.name} deleted. Usernames given it keep their privileges.")
    return redirect(_here("roles", request))


# --- Apply a role in several accounts -----------------------------------------------------------

@account_view(ACCESS, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@reauth_required
def role_apply(request, account):
    """Choose a username, a role of this account and accounts; preview per account; confirm.

    Only accounts where the actor has Full Access to Account Access now (the membership rule,
    two-factor included) are offered, previewed and changed; anything else posted is refused
    without naming it. The password is asked (once) before the preview when it is not fresh.
    """
    account_roles = roles.roles_of(request.account)
    manageable = roles.manageable_accounts(request.user, context=request.audit)
    form = ApplyRoleForm(_posted(request), roles=account_roles, accounts=manageable,
                         initial={"accounts": [request.account.slug]})
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        role = roles.role_in(request.account, data["role"])
        try:
            if role is None:
                raise ServiceError("That role no longer exists.")
            if data["step"] == "confirm":
                changed = roles.role_apply(actor=request.user, account=request.account, username=data["username"],
                                           role_name=role.name, levels=roles.levels_of(role),
                                           slugs=data["accounts"], context=request.audit)
                names = ", ".join(row.account.name for row in changed)
                messages.success(request, f"{data['username']} now has the role {role.name} in {names}.")
                return redirect(_here("role-apply", request))
            preview = roles.role_preview(actor=request.user, username=data["username"],
                                         levels=roles.levels_of(role), slugs=data["accounts"], context=request.audit)
        except ServiceError as exc:
            form.add_error(None, str(exc))
            preview = None
        else:
            return render(request, "access/role_apply.html", {"form": form, "preview": preview, "role": role,
                                                              "changing": any(r.changing for r in preview)})
    elif request.method == "POST":
        # Accounts posted that the actor has joined but may not manage now: refused and logged there.
        refused = roles.refused_accounts(request.user, all_values(request.POST).get("accounts", [])[:50],
                                          context=request.audit)
        if refused:
            roles.role_apply_refused_record(actor=request.user, accounts=refused, context=request.audit)
    return render(request, "access/role_apply.html", {"form": form, "preview": None},
                  status=400 if form.errors else 200)


# --- Owner notices ------------------------------------------------------------------------------

@account_view(ACCESS, level=Level.FULL)
@require_POST
def notice_read(request, account, notice_id):
    notice = notices.notice_in(request.account, notice_id)
    if notice is None:
        raise Http404("No such notice in this account")
    try:
        notices.notice_mark_read(actor=request.user, account=request.account, notice=notice,
                                 context=request.audit)
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("core:account-home", account=request.account.slug)


@signed_in
@require_http_methods(["GET", "POST"])
def notice_settings(request):
    """A username's own choice of owner-notice e-mails."""
    current = "off" if notices.emails_are_off(request.user) else "on"
    form = NoticeSettingsForm(_posted(request), initial={"emails": current})
    if request.method == "POST" and form.is_valid():
        notices.notice_emails_set(actor=request.user, off=form.cleaned_data["emails"] == "off",
                                  context=request.audit)
        messages.success(request, "Notice settings saved.")
        return redirect("notice-settings")
    return render(request, "access/notice_settings.html", {"form": form}, status=400 if form.errors else 200)
