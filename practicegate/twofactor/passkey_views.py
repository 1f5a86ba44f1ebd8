"""Pages of passkeys: the list (and adding one), removing one, and the passkey answers at
log-in (after the password, or alone), and when an account asks a signed-in session.

The browser's part is static/twofactor/passkeys.js: it asks `options` for a challenge, lets
the browser make or use the passkey, and posts the answer in the form's hidden field.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from practicegate.accounts.views import locked_out
from practicegate.core.decorators import public, signed_in
from practicegate.twofactor import ceremony, forms, passkeys, pending, services, throttle
from practicegate.twofactor.models import PasskeyDevice
from practicegate.twofactor.views import _locked_message, _posted, _safe_next

NOT_ACCEPTED = ("That passkey was not accepted. Please try again{alternative}.")
ADD_PROBLEMS = {
    passkeys.WRONG_PASSWORD: "That password is not right. The passkey was not added.",
    passkeys.EXPIRED: "That took too long, so the passkey was not added. Please try again.",
    passkeys.INVALID: "The passkey could not be checked, so it was not added. Please try again.",
    passkeys.DUPLICATE: "That passkey is already added.",
}
REMOVE_PROBLEMS = {
    passkeys.WRONG_PASSWORD: "That password is not right. The passkey was not removed.",
    passkeys.NEEDS_PASSKEY: ("This is your last way of two-factor log-in: confirm with the passkey "
                             "itself (press Remove Passkey and follow your browser's steps)."),
}


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return forms.NO_PASSKEY_ANSWER


def _json_refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message}, status=status)


@public
@require_POST
def options(request):
    """A challenge for the browser (JSON): to add a passkey, or to use one for a purpose."""
    form = forms.PasskeyOptionsForm(request.POST)
    if not form.is_valid():
        return _json_refusal("This page is out of date. Please reload it and try again.", 400)
    purpose = form.cleaned_data["purpose"]
    user = request.user if request.user.is_authenticated else None
    if purpose == ceremony.LOGIN:
        user, _state = pending.current(request)
        if user is None:
            return _json_refusal("Your log-in has expired. Please log in again.", 400)
    elif purpose == ceremony.PASSWORDLESS:
        user = None
    elif user is None:
        return _json_refusal("Please log in first.", 403)
    if purpose == ceremony.ADD:
        return JsonResponse(passkeys.registration_options(request, user))
    if user is not None and not services.has_passkey(user):
        return _json_refusal("This username has no passkey yet.", 400)
    return JsonResponse(passkeys.assertion_options(request, purpose=purpose, user=user))


@signed_in
@require_http_methods(["GET", "POST"])
def passkey_list(request):
    """The username's passkeys, and the form that adds one (its password, then the browser)."""
    user = request.user
    form = forms.PasskeyAddForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        if throttle.is_locked(request, user.username):
            form.add_error(None, _locked_message())
            status = 429
        else:
            result = passkeys.passkey_add(
                actor=user, name=form.cleaned_data["name"], password=form.cleaned_data["password"],
                credential=form.cleaned_data["credential"], server=ceremony.server(request),
                state=ceremony.take(request, purpose=ceremony.ADD, user_id=user.pk), context=request.audit)
            if isinstance(result, PasskeyDevice):
                otp_login(request, result)  # the passkey has just answered in this session
                messages.success(request, f"Passkey “{result.name}” added. You can use it to log in.")
                return redirect("twofactor:passkeys")
            locked = result == passkeys.WRONG_PASSWORD and throttle.count_failure(
                request, user.username, keep_response=True)
            form.add_error(None, _locked_message() if locked else ADD_PROBLEMS[result])
            status = 429 if locked else 400
    if status == 200 and form.errors:
        status = 400
    return render(request, "twofactor/passkeys.html",
                  {"form": form, "passkeys": list(passkeys.passkeys_of(user)),
                   "has_app": services.has_two_factor(user)}, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def passkey_remove(request, pk: int):
    """Remove one passkey: the password; the last second factor also the passkey's answer."""
    user = request.user
    device = get_object_or_404(PasskeyDevice, pk=pk, user=user, confirmed=True)  # another's: not found
    last = passkeys.is_last_factor(user, device)
    form = forms.PasskeyRemoveForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        if throttle.is_locked(request, user.username):
            form.add_error(None, _locked_message())
            status = 429
        else:
            state = ceremony.take(request, purpose=ceremony.REMOVE, user_id=user.pk) if last else None
            problem = passkeys.passkey_remove(
                actor=user, device=device, password=form.cleaned_data["password"],
                credential=form.cleaned_data["credential"], server=ceremony.server(request), state=state,
                context=request.audit)
            if problem is None:
                messages.success(request, f"Passkey “{device.name}” removed.")
                return redirect("twofactor:passkeys")
            locked = problem != passkeys.NEEDS_PASSKEY and throttle.count_failure(
                request, user.username, keep_response=True)
            form.add_error(None, _locked_message() if locked else REMOVE_PROBLEMS.get(
                problem, NOT_ACCEPTED.format(alternative="")))
            status = 429 if locked else 400
    if status == 200 and form.errors:
        status = 400
    return render(request, "twofactor/passkey_remove.html",
                  {"form": form, "device": device, "last": last}, status=status)


@public
@require_POST
def login_passkey(request):
    """Second step of log-in with a passkey instead of a code."""
    user, state = pending.current(request)
    if user is None:
        messages.info(request, "Please log in again.")
        return redirect("login")
    form = forms.PasskeyAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("twofactor:login")
    if throttle.is_locked(request, user.username):
        pending.clear(request)
        return locked_out(request)
    device = passkeys.passkey_check(
        user=user, credential=form.cleaned_data["credential"], server=ceremony.server(request),
        state=ceremony.take(request, purpose=ceremony.LOGIN, user_id=user.pk), purpose=ceremony.LOGIN,
        context=request.audit)
    if device is not None:
        return _complete_login(request, user, device, backend=state["backend"], next_url=state.get("next"))
    if throttle.count_failure(request, user.username):
        pending.clear(request)  # axes' middleware now answers with the lock-out page
    alternative = ", or enter your code" if services.has_two_factor(user) else ""
    messages.error(request, NOT_ACCEPTED.format(alternative=alternative))
    return redirect("twofactor:login")


def _complete_login(request, user, device, *, backend: str, next_url: str | None):
    pending.clear(request)
    user.otp_device = device  # django-otp marks the session verified on user_logged_in
    login(request, user, backend=backend)
    return redirect(_safe_next(request, next_url) or settings.LOGIN_REDIRECT_URL)


@public
@require_POST
def passwordless(request):
    """Log-in with a passkey alone: the passkey names the username and has verified the person
    (fingerprint, face or PIN), so it stands for both the password and the second factor."""
    form = forms.PasskeyAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("login")
    credential = form.cleaned_data["credential"]
    owner = passkeys.owner_of(credential)
    if owner is not None and throttle.is_locked(request, owner.username):
        return locked_out(request)
    device = passkeys.passkey_check(
        user=None, credential=credential, server=ceremony.server(request),
        state=ceremony.take(request, purpose=ceremony.PASSWORDLESS, user_id=None),
        purpose=ceremony.PASSWORDLESS, context=request.audit)
    if device is not None:
        return _complete_login(request, device.user, device,
                               backend="practicegate.accounts.backends.UsernameBackend",
                               next_url=form.cleaned_data.get("next"))
    if owner is not None:
        throttle.count_failure(request, owner.username)
    messages.error(request, NOT_ACCEPTED.format(alternative=", or log in with your password"))
    return redirect("login")


@signed_in
@require_POST
def verify_passkey(request):
    """A signed-in session proves its second factor with a passkey (an account asked for it)."""
    user = request.user
    form = forms.PasskeyAnswerForm(request.POST)
    valid = form.is_valid()
    nxt = _safe_next(request, form.cleaned_data.get("next"))
    back = f"{reverse('twofactor:verify')}?{urlencode({'next': nxt})}" if nxt else reverse("twofactor:verify")
    if not valid:
        messages.error(request, _first_error(form))
        return redirect(back)
    if throttle.is_locked(request, user.username):
        messages.error(request, _locked_message())
        return redirect(back)
    device = passkeys.passkey_check(
        user=user, credential=form.cleaned_data["credential"], server=ceremony.server(request),
        state=ceremony.take(request, purpose=ceremony.SESSION, user_id=user.pk), purpose=ceremony.SESSION,
        context=request.audit)
    if device is not None:
        otp_login(request, device)
        services.verified_session_mark(actor=user, device=device, context=request.audit)
        return redirect(nxt or "after-login")
    locked = throttle.count_failure(request, user.username, keep_response=True)
    alternative = ", or enter your code" if services.has_two_factor(user) else ""
    messages.error(request, _locked_message() if locked else NOT_ACCEPTED.format(alternative=alternative))
    return redirect(back)
