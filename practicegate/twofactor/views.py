"""Pages of two-factor log-in: set-up, status, turning off, new recovery codes,
the log-in code step, a session check, and the account-wide requirement."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from practicegate.accounts.selectors import members_of
from practicegate.accounts.views import LoginView, locked_out
from practicegate.core.decorators import account_view, public, signed_in
from practicegate.core.errors import ServiceError
from practicegate.core.params import param
from practicegate.core.reauth import reauth_required
from practicegate.twofactor import forms, pending, qr, recovery, services, throttle

WRONG_CODE = "That code is not right. Check your app's clock, or use a recovery code."
REUSED_CODE = ("That code was just used, and each code works once. Wait {seconds} seconds "
               "for your app's next code, then enter that one.")
WRONG_REAUTH = "That password and code do not match. Please try again."
WRONG_SETUP = ("That password or code is not right. Check your password and your app's clock, then "
               "enter the newest code.")


class TwoFactorLoginView(LoginView):
    """Log-in: the password step, then the code step for a username with two-factor log-in."""

    def form_valid(self, form):
        user = form.get_user()
        if services.has_second_factor(user):
            # The password was right; log-in completes only after the code step.
            pending.begin(self.request, user, self.get_success_url())
            return redirect("twofactor:login")
        return super().form_valid(form)


login_view = public(TwoFactorLoginView.as_view())


def _posted(request):
    """The submitted data on POST, even when empty (an empty form must show "required")."""
    return request.POST if request.method == "POST" else None


def _lock_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return ""


def _locked_message() -> str:
    return (f"Too many wrong passwords or codes for this username from your network. "
            f"Please wait {_lock_minutes()} minutes and try again.")


def _backoff(user, code: str) -> str | None:
    """A wait after wrong codes in a row: said plainly, and not counted as another failure."""
    seconds = services.wait_seconds(user, code)
    if seconds:
        return f"Too many wrong codes in a row. Wait {seconds} seconds, then enter the newest code."
    return None


def _factors(user) -> dict:
    """Which second factors the code pages offer: the app's code, a passkey, or both."""
    return {"has_app": services.has_two_factor(user), "has_passkey": services.has_passkey(user)}


def _show_codes(request, codes: list[str], next_url: str = "", status: int = 200):
    """The only time the recovery codes are ever shown: only their hashes are kept."""
    return render(request, "twofactor/recovery_codes.html",
                  {"codes": [recovery.display(c) for c in codes], "next": next_url}, status=status)


@signed_in
@require_GET
def index(request):
    if not services.has_second_factor(request.user):
        target = reverse("twofactor:setup")
        nxt = _safe_next(request, param(request.GET, "next"))
        return redirect(f"{target}?next={nxt}" if nxt else target)
    return render(request, "twofactor/index.html",
                  {"codes_left": services.recovery_codes_left(request.user),
                   "has_app": services.has_two_factor(request.user),
                   "passkey_count": services.PasskeyDevice.objects.filter(user=request.user).count(),
                   "verified": request.user.is_verified()})


SETUP_KEY = "pg_totp_setup_key"  # the secret being set up, kept in the server-side session


@signed_in
@require_http_methods(["GET", "POST"])
def setup(request):
    """Show a secret (QR code and text); the first code and the password turn it on.

    A GET writes nothing to the database: the secret waits in the session (stored on the
    server) and the same one is shown on every reload, so a half-done set-up in the app
    stays valid. The device is saved, with its event, only when a POST confirms it.
    """
    user = request.user
    if services.has_two_factor(user):
        return redirect("twofactor:index")
    key = request.session.get(SETUP_KEY) or ""
    if not key:
        key = request.session[SETUP_KEY] = services.setup_key_new()
    form = forms.SetupForm(_posted(request), initial={"next": _safe_next(request, param(request.GET, "next"))})
    status = 200
    if request.method == "POST" and form.is_valid():
        if throttle.is_locked(request, user.username):
            form.add_error(None, _locked_message())
            status = 429
        else:
            try:
                codes = services.two_factor_enable(actor=user, key=key, code=form.cleaned_data["code"],
                                                   password=form.cleaned_data["password"], context=request.audit)
            except ServiceError as exc:
                form.add_error("code", str(exc))
            else:
                if codes is not None:
                    request.session.pop(SETUP_KEY, None)
                    device = services.TOTPDevice.objects.get(user=user, confirmed=True)
                    otp_login(request, device)  # this session has just proved the code
                    messages.success(request, "Two-factor log-in is on.")
                    return _show_codes(request, codes, _safe_next(request, form.cleaned_data.get("next")))
                locked = throttle.count_failure(request, user.username, keep_response=True)
                form.add_error(None, _locked_message() if locked else WRONG_SETUP)
                status = 429 if locked else 400
    device = services.setup_device(user, key)
    secret = qr.secret_base32(device)
    return render(request, "twofactor/setup.html",
                  {"form": form, "qr": qr.qr_data_uri(device), "secret": secret,
                   "secret_grouped": qr.grouped(secret)},
                  status=400 if status == 200 and form.errors else status)


def _reauth_view(request, *, service, template: str):
    """Disable and regenerate share one shape: password + code, throttled like log-in."""
    user = request.user
    if not services.has_two_factor(user):
        return redirect("twofactor:setup")
    form = forms.ReauthForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if throttle.is_locked(request, user.username):
            form.add_error(None, _locked_message())
            return render(request, template, {"form": form}, status=429)
        if wait := _backoff(user, form.cleaned_data["code"]):
            form.add_error("code", wait)
            return render(request, template, {"form": form}, status=429)
        result = service(actor=user, password=form.cleaned_data["password"],
                         code=form.cleaned_data["code"], context=request.audit)
        if result:
            return result
        locked = throttle.count_failure(request, user.username, keep_response=True)
        form.add_error(None, _locked_message() if locked else WRONG_REAUTH)
        return render(request, template, {"form": form}, status=429 if locked else 400)
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def disable(request):
    def turn_off(**kwargs):
        if services.two_factor_disable(**kwargs):
            if services.has_passkey(request.user):  # passkeys remain: two-factor log-in stays on
                messages.success(request, "The authenticator app is removed. Your passkeys still work "
                                          "as your second step.")
                return redirect("twofactor:index")
            messages.success(request, "Two-factor log-in is off.")
            return redirect("twofactor:setup")
        return None

    return _reauth_view(request, service=turn_off, template="twofactor/disable.html")


@signed_in
@require_http_methods(["GET", "POST"])
def regenerate(request):
    def renew(**kwargs):
        codes = services.recovery_codes_regenerate(**kwargs)
        return _show_codes(request, codes) if codes else None

    return _reauth_view(request, service=renew, template="twofactor/regenerate.html")


@signed_in
@require_http_methods(["GET", "POST"])
def verify(request):
    """A signed-in session that has not proved a code yet (an account requires it) proves one here."""
    user = request.user
    nxt = _safe_next(request, param(request.POST, "next") or param(request.GET, "next"))
    if not services.has_second_factor(user):
        return redirect(f"{reverse('twofactor:setup')}?next={nxt}" if nxt else reverse("twofactor:setup"))
    factors = _factors(user)
    form = forms.CodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if throttle.is_locked(request, user.username):
            form.add_error(None, _locked_message())
            return render(request, "twofactor/verify.html", {"form": form, "next": nxt, **factors}, status=429)
        if wait := _backoff(user, form.cleaned_data["code"]):
            form.add_error("code", wait)
            return render(request, "twofactor/verify.html", {"form": form, "next": nxt, **factors}, status=429)
        device = services.code_check(user=user, code=form.cleaned_data["code"], context=request.audit,
                                     purpose="session")
        if device is not None:
            otp_login(request, device)
            services.verified_session_mark(actor=user, device=device, context=request.audit)
            return redirect(nxt or "after-login")
        locked = throttle.count_failure(request, user.username, keep_response=True)
        form.add_error(None, _locked_message() if locked else WRONG_CODE)
    return render(request, "twofactor/verify.html", {"form": form, "next": nxt, **factors},
                  status=400 if form.errors else 200)


@public
@require_http_methods(["GET", "POST"])
def login_code(request):
    """Second step of log-in: the password was right; the code completes it."""
    user, state = pending.current(request)
    if user is None:
        messages.info(request, "Please log in again.")
        return redirect("login")
    form = forms.CodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if throttle.is_locked(request, user.username):
            pending.clear(request)
            return locked_out(request)
        if wait := _backoff(user, form.cleaned_data["code"]):
            form.add_error("code", wait)
            return render(request, "twofactor/login_code.html", {"form": form, **_factors(user)}, status=429)
        device = services.code_check(user=user, code=form.cleaned_data["code"], context=request.audit,
                                     purpose="login")
        if device is not None:
            pending.clear(request)
            user.otp_device = device  # django-otp keeps it in the session on user_logged_in
            login(request, user, backend=state["backend"])
            return redirect(_safe_next(request, state.get("next")) or settings.LOGIN_REDIRECT_URL)
        if throttle.count_failure(request, user.username):
            pending.clear(request)  # axes' middleware now answers with the lock-out page
        form.add_error("code", _refusal(user, form.cleaned_data["code"]))
    return render(request, "twofactor/login_code.html", {"form": form, **_factors(user)},
                  status=400 if form.errors else 200)



@account_view("settings")
@require_http_methods(["GET", "POST"])
@reauth_required(methods=["POST"])
def account_settings(request, account):
    """Whether this account requires two-factor log-in (only its owner may change it), and who
    in it has it on."""
    acct = request.account
    form = forms.RequirementForm(_posted(request), initial={"required": acct.require_two_factor})
    status = 200
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["required"]
        try:
            changed = services.account_requirement_set(actor=request.user, account=acct,
                                                       required=required, context=request.audit)
        except services.OwnerOnly as exc:
            form.add_error(None, str(exc))
            status = 403
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, "Two-factor log-in is now required in this account." if required
                                 else "Two-factor log-in is no longer required in this account.")
            return redirect("account_twofactor:settings", account=acct.slug)
    members = list(members_of(acct))
    with_2fa = services.users_with_two_factor(m.user_id for m in members)
    rows = [{"username": m.user.username, "has": m.user_id in with_2fa} for m in members]
    if status == 200 and form.errors:
        status = 400
    return render(request, "twofactor/account_settings.html",
                  {"form": form, "rows": rows, "required": acct.require_two_factor,
                   "me_has": request.user.pk in with_2fa, "is_owner": request.membership.is_owner,
                   "owner_name": acct.owner.username},
                  status=status)


def _refusal(user, code: str) -> str:
    """Why a code was refused: a right code already used in this time step says how long to wait."""
    seconds = services.reused_step_wait(user, code)
    return REUSED_CODE.format(seconds=seconds) if seconds else WRONG_CODE
