"""Account Access pages: one view per action, each declaring its section.

Allow Account Access and Access Other Accounts are form pages only Full Access
may open; Username Privileges can be seen at View Only and changed at Full Access.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practicegate.access import credentials, recheck, roles, selectors, services
from practicegate.access.forms import (
    STARTING_CHOICE,
    AllowAccessForm,
    ConfirmPasswordForm,
    FindAccountForm,
    JoinAccountForm,
    JoinCodeForm,
    LevelsForm,
    RedeemCodeForm,
)
from practicegate.accounts.mail import site_of
from practicegate.accounts.models import Account, User
from practicegate.core import kept_forms
from practicegate.core.decorators import account_view
from practicegate.core.errors import ServiceError
from practicegate.core.params import param
from practicegate.core.reauth import reauth_required, safe_next
from practicegate.core.sections import MEMBERS, SECTION_KEYS, SECTIONS, Level

ACCESS = "account_access"


def _here(name: str, request, **kwargs) -> str:
    return reverse(f"access:{name}", kwargs={"account": request.account.slug, **kwargs})


def _posted(request):
    """The POST data of a POST (even an empty one), else None: an empty POST still gets validated."""
    return request.POST if request.method == "POST" else None


def _status(form) -> int:
    return 400 if form.errors else 200


@account_view(ACCESS)
@require_GET
def index(request, account):
    try:
        copy_url = reverse("copy:start", kwargs={"account": request.account.slug})
    except NoReverseMatch:  # the copy feature is not installed yet
        copy_url = None
    return render(request, "access/index.html", {
        "copy_url": copy_url,
        "is_owner": request.membership.is_owner,
    })


# --- Allow Account Access ---------------------------------------------------------------------

@account_view(ACCESS, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@reauth_required
def allow(request, account):
    form = AllowAccessForm(_posted(request), **_role_choices(request.account))
    if request.method == "POST" and form.is_valid():
        role, starting = _chosen_role(request.account, form.cleaned_data["role"])
        try:
            user = services.username_add(actor=request.user, account=request.account,
                                         username=form.cleaned_data["username"],
                                         password=form.cleaned_data["password1"], role=role, starting=starting,
                                         context=request.audit, email=form.cleaned_data["email"],
                                         site=site_of(request))
        except ServiceError as exc:
            form.add_error("username", str(exc))
        else:
            messages.success(request, f"Username {user.username} can now log in to {request.account.name}.")
            if user.pending_email:
                messages.info(request, f"We mailed a link to {user.pending_email}. The address is used for "
                                       "password resets once that link is opened.")
            return redirect(_here("allow", request))
    return render(request, "access/allow.html", {"form": form, "rows": selectors.member_rows(request.account)},
                  status=_status(form))


def _role_choices(account) -> dict:
    """The account's roles for a role choice, the least one preselected (a safe default)."""
    return {"roles": roles.roles_of(account), "least": roles.least_role(account),
            "starting": account.new_member_levels()}


def _chosen_role(account, value: str):
    """(role, starting) from a role field's cleaned value: blank means the least role."""
    if value == STARTING_CHOICE:
        return None, True
    role = roles.role_in(account, value) if value else None
    return role, False


# --- Access Other Accounts --------------------------------------------------------------------

def _other_page(request, *, find=None, redeem=None, status=200):
    return render(request, "access/other.html", {
        "find_form": find or FindAccountForm(),
        "redeem_form": redeem or RedeemCodeForm(),
    }, status=status)


@account_view(ACCESS, level=Level.FULL)
@require_GET
@reauth_required(methods=["GET"])  # a page only: its forms post to find, join and redeem
def other(request, account):
    return _other_page(request)


def _refuse(request, form, reason: str, message: str, status: int = 400):
    services.join_failure_record(actor=request.user, account=request.account, reason=reason, context=request.audit)
    form.add_error(None, message)
    return form, status


@account_view(ACCESS, level=Level.FULL)
@require_POST
@reauth_required
def find(request, account):
    """Find Account: check the credentials and show which provider account they open."""
    form = FindAccountForm(request.POST)
    if not form.is_valid():
        return _other_page(request, find=form, status=400)
    data = form.cleaned_data
    check = credentials.find_credentials_check(request, username=data["username"], password=data["password"],
                                               code=data["code"])
    if not check.ok:
        form, status = _refuse(request, form, check.reason, check.message,
                               429 if check.reason == "locked" else 400)
        return _other_page(request, find=form, status=status)
    cred_user = check.user
    if cred_user.pk == request.user.pk:
        form, status = _refuse(request, form, "own_credentials",
                               "Those are your own username's credentials. Enter the username and password "
                               "of the provider account you want to join.")
        return _other_page(request, find=form, status=status)
    openable = services.accounts_openable_by(cred_user)
    if not openable:
        form, status = _refuse(request, form, "not_full_access",
                               "That username cannot give access to its account: it needs Full Access to "
                               "Account Access there. Ask the account's owner.")
        return _other_page(request, find=form, status=status)
    # The credentials' home account if they may open it, else the first they may.
    target = next((a for a in openable if a.pk == cred_user.home_account_id), openable[0])
    if target.memberships.filter(user=request.user).exists():
        form, status = _refuse(request, form, "already_member",
                               f"Your username already has access to {target.name}.")
        return _other_page(request, find=form, status=status)
    services.join_found_record(actor=request.user, account=target, from_account=request.account,
                               credential_user=cred_user, context=request.audit)
    token = credentials.found_token_make(request, account=target, credential_user=cred_user)
    return render(request, "access/found.html", {
        "target": target, "join_form": JoinAccountForm(initial={"token": token}),
        "starting_levels": _level_rows(target),
    })


def _level_rows(account: Account):
    levels = account.new_member_levels()
    return [(s.label, Level(levels[s.key])) for s in SECTIONS]


def _joined_message(joined: Account) -> str:
    text = f"Your username can now reach {joined.name}. Choose it from the provider dropdown at the top of the page."
    if joined.require_two_factor:
        text += f" {joined.name} requires two-factor log-in: you will be asked for your code when you open it."
    return text


@account_view(ACCESS, level=Level.FULL)
@require_POST
@reauth_required
def join(request, account):
    """Join Account: re-check what the Find Account token names, then add the membership."""
    form = JoinAccountForm(request.POST)
    payload = credentials.found_token_read(request, form.data.get("token", "")) if form.is_valid() else None
    target = Account.objects.filter(pk=payload["a"]).first() if payload else None
    cred_user = User.objects.filter(pk=payload["c"]).first() if payload else None
    if target is None or cred_user is None:
        services.join_failure_record(actor=request.user, account=request.account, reason="stale_confirmation",
                                     context=request.audit)
        messages.error(request, "That confirmation has expired or was already used. Please find the account again.")
        return redirect(_here("other", request))
    try:
        services.membership_join(actor=request.user, account=target, from_account=request.account,
                                 via="credentials", credential_user=cred_user, context=request.audit)
    except ServiceError as exc:
        services.join_failure_record(actor=request.user, account=request.account, reason="refused",
                                     context=request.audit)
        messages.error(request, str(exc))
        return redirect(_here("other", request))
    messages.success(request, _joined_message(target))
    return redirect(_here("other", request))


@account_view(ACCESS, level=Level.FULL)
@require_POST
@reauth_required
def redeem(request, account):
    """Join an account with a one-time join code instead of its password."""
    form = RedeemCodeForm(request.POST)
    if not form.is_valid():
        return _other_page(request, redeem=form, status=400)
    try:
        membership = services.join_code_redeem(actor=request.user, from_account=request.account,
                                               raw_code=form.cleaned_data["join_code"], context=request.audit)
    except services.JoinCodeRefused as exc:
        form, status = _refuse(request, form, exc.reason, str(exc))
        return _other_page(request, redeem=form, status=status)
    except ServiceError as exc:
        form, status = _refuse(request, form, "join_code", str(exc))
        return _other_page(request, redeem=form, status=status)
    messages.success(request, _joined_message(membership.account))
    return redirect(_here("other", request))


# --- Join codes -------------------------------------------------------------------------------

@account_view(ACCESS)
@require_http_methods(["GET", "POST"])
@reauth_required(methods=["POST"])
def join_codes(request, account):
    """List open join codes; POST (Full Access) makes one and shows it this once."""
    new_code = None
    form = JoinCodeForm(_posted(request), **_role_choices(request.account))
    if request.method == "POST" and form.is_valid():
        # None (the starting privileges) when "Starting privileges" is chosen or no role is sent.
        role, _starting = _chosen_role(request.account, form.cleaned_data["role"])
        _code, new_code = services.join_code_create(actor=request.user, account=request.account, role=role,
                                                    context=request.audit)
        form = JoinCodeForm(**_role_choices(request.account))
    return render(request, "access/join_codes.html", {
        "codes": selectors.open_join_codes(request.account), "new_code": new_code, "form": form,
    }, status=_status(form))


@account_view(ACCESS)
@require_POST
@reauth_required
def join_code_revoke(request, account, code_id):
    code = selectors.join_code_in(request.account, code_id)
    if code is None:
        raise Http404("No such join code")
    try:
        services.join_code_revoke(actor=request.user, account=request.account, code=code, context=request.audit)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Join code revoked.")
    return redirect(_here("join-codes", request))


# --- Username Privileges ----------------------------------------------------------------------

@account_view(ACCESS)
@require_GET
def privileges(request, account):
    return render(request, "access/privileges.html", {
        "rows": selectors.privilege_rows(request.account),
        "defaults": _level_rows(request.account),
    })


def _membership_or_404(request, membership_id: int):
    membership = selectors.membership_in(request.account, membership_id)
    if membership is None:
        raise Http404("No such username in this account")
    return membership


CONFIRM_FIELD = "confirm_own"  # the box a username ticks to narrow or remove its own access
NARROW_UNCONFIRMED = ("Nothing was saved: these choices lower your own access ({sections}). "
                      "Tick the box to confirm that you want to lose it, or choose Cancel.")
REMOVE_UNCONFIRMED = ("Nothing was changed: this is your own username. Tick the box to confirm that you "
                      "want to lose your access to {account}, or choose Cancel.")


def _confirmed_own(request) -> bool:
    return param(request.POST, CONFIRM_FIELD) == "yes"


def _lowered(current: dict[str, int], new: dict[str, int]) -> list[str]:
    """The labels of the sections whose level `new` lowers."""
    return [s.label for s in SECTIONS if new.get(s.key, 0) < current.get(s.key, 0)]


@account_view(ACCESS, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@reauth_required
def privileges_edit(request, account, membership_id):
    """The plus (+): choose Full Access, View Only or No Access for every section.

    A username lowering its own levels is warned and must tick a box: without it nothing is saved.
    """
    membership = _membership_or_404(request, membership_id)
    own = membership.user_id == request.user.pk
    current = {key: int(membership.level(key)) for key in SECTION_KEYS}
    form = LevelsForm(_posted(request), initial_levels=current)
    refusal = services.narrowing_refusal(membership, current) if membership.is_owner else None
    if request.method == "POST" and refusal:
        form.add_error(None, refusal)
    elif request.method == "POST" and form.is_valid():
        lowered = _lowered(current, form.levels()) if own else []
        if lowered and not _confirmed_own(request):
            form.add_error(None, NARROW_UNCONFIRMED.format(sections=", ".join(lowered)))
            return _privileges_edit_page(request, form, membership, refusal, own)
        try:
            services.membership_levels_set(actor=request.user, account=request.account, membership=membership,
                                           levels=form.levels(), context=request.audit)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Privileges of {membership.user.username} saved. They apply from "
                                      "that username's next page.")
            return redirect(_here("privileges", request))
    return _privileges_edit_page(request, form, membership, refusal, own)


def _privileges_edit_page(request, form, membership, refusal, own: bool):
    return render(request, "access/privileges_edit.html",
                  {"form": form, "membership": membership, "refusal": refusal, "own": own,
                   "confirm_field": CONFIRM_FIELD}, status=_status(form))


@account_view(ACCESS, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@reauth_required
def privileges_delete(request, account, membership_id):
    """Delete a username from this account, after a confirmation (and a ticked box for one's own)."""
    membership = _membership_or_404(request, membership_id)
    own = membership.user_id == request.user.pk
    refusal = services.removal_refusal(membership)
    unconfirmed = request.method == "POST" and refusal is None and own and not _confirmed_own(request)
    if unconfirmed:
        refusal = REMOVE_UNCONFIRMED.format(account=request.account.name)
    if request.method == "POST" and refusal is None:
        username = membership.user.username
        try:
            deactivated = services.membership_remove(actor=request.user, account=request.account,
                                                     membership=membership, context=request.audit)
        except ServiceError as exc:
            refusal = str(exc)
        else:
            note = " It had no other account, so it can no longer log in." if deactivated else ""
            messages.success(request, f"Username {username} was removed from {request.account.name}.{note}")
            if membership.user_id == request.user.pk:
                return redirect("after-login")
            return redirect(_here("privileges", request))
    status = 400 if (request.method == "POST" and refusal) else 200
    return render(request, "access/privileges_delete.html",
                  {"membership": membership, "refusal": refusal, "unconfirmed": unconfirmed, "own": own,
                   "confirm_field": CONFIRM_FIELD}, status=status)


@account_view(ACCESS, level=Level.FULL)
@require_http_methods(["GET", "POST"])
@reauth_required
def privileges_defaults(request, account):
    """The levels a newly added or joined username starts with."""
    form = LevelsForm(_posted(request), initial_levels=request.account.new_member_levels())
    if request.method == "POST" and form.is_valid():
        services.account_default_levels_set(actor=request.user, account=request.account, levels=form.levels(),
                                            context=request.audit)
        messages.success(request, "New usernames will start with these privileges.")
        return redirect(_here("privileges", request))
    return render(request, "access/privileges_defaults.html", {"form": form}, status=_status(form))


# --- Leaving ----------------------------------------------------------------------------------

@account_view(MEMBERS)
@require_http_methods(["GET", "POST"])
def leave(request, account):
    """A username leaves an account it joined."""
    error = None
    if request.method == "POST":
        name = request.account.name
        try:
            services.membership_leave(actor=request.user, account=request.account, context=request.audit)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Your username no longer has access to {name}.")
            return redirect("after-login")
    return render(request, "access/leave.html", {"error": error}, status=400 if error else 200)


# --- Re-authentication ------------------------------------------------------------------------

@account_view(MEMBERS)
@require_http_methods(["GET", "POST"])
def confirm_password(request, account):
    """Enter the password again; other features send users here through @reauth_required.

    When a form was kept (`?resume=`), the password is posted to that form's route, which
    checks it and applies the form (core.reauth); otherwise it is checked here.
    """
    fallback = reverse("core:account-home", kwargs={"account": request.account.slug})
    next_path = safe_next(request, param(request.POST, "next") or param(request.GET, "next"), fallback)
    form = ConfirmPasswordForm(_posted(request))
    if request.method == "GET":
        resume = param(request.GET, "resume")[:100]
        action = kept_forms.waiting(request, resume) if resume else None
        return recheck.password_page(request, form, next_path=next_path, resume=resume if action else "",
                                     action=action or "")
    locked = False
    if form.is_valid():
        right, locked = recheck.password_right(request, form)
        if right:
            kept_forms.drop(request)  # a form kept for a page left behind is abandoned
            return redirect(next_path)
    return recheck.password_page(request, form, next_path=next_path, status=429 if locked else _status(form))
