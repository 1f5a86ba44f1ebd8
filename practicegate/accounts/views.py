"""Sign-up, log-in, log-out and passwords: the pages outside any account."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from practicegate.accounts import email_addresses, forms, recovery, services
from practicegate.accounts.mail import confirmed_address, site_of
from practicegate.accounts.models import Membership
from practicegate.accounts.selectors import home_zone_of
from practicegate.accounts.sessions import current_row_id, session_seen
from practicegate.audit.context import audit_context
from practicegate.core.decorators import public, signed_in
from practicegate.core.errors import ServiceError


@public
@require_http_methods(["GET", "POST"])
def home(request):
    """The public home page: the sign-up form for a new provider account."""
    if request.method == "GET" and request.user.is_authenticated:
        return redirect("after-login")
    form = forms.SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_signup(
                provider_name=form.cleaned_data["provider_name"],
                email=form.cleaned_data["email"],
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                time_zone=form.cleaned_data["time_zone"],
                context=request.audit,
                site=site_of(request),
            )
        except ServiceError as exc:
            form.add_error("username", str(exc))
        else:
            login(request, account.owner, backend="practicegate.accounts.backends.UsernameBackend")
            messages.success(request, f"Welcome! Your account {account.name} is ready. We mailed a link to "
                                      f"{form.cleaned_data['email']}: open it so you can reset a forgotten password.")
            return redirect("core:account-home", account=account.slug)
    return render(request, "accounts/home.html", {"form": form}, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def own_time_zone(request):
    """The zone of the username's own pages (My Activity); account pages use the account's."""
    user = request.user
    form = forms.OwnTimeZoneForm(request.POST if request.method == "POST" else None,
                                 initial={"time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_time_zone_change(actor=user, time_zone=form.cleaned_data["time_zone"],
                                           context=request.audit)
        except ServiceError as exc:
            form.add_error("time_zone", str(exc))
        else:
            messages.success(request, "Time zone saved.")
            return redirect("own_time_zone")
    return render(request, "accounts/own_time_zone.html", {"form": form, "home_zone": home_zone_of(user)},
                  status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def own_email(request):
    """My e-mail: the confirmed address, one waiting for its link, and the form to enter another."""
    user = request.user
    form = forms.OwnEmailForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        try:
            email_addresses.email_set(actor=user, user=user, address=address, site=site_of(request),
                                      context=request.audit)
        except ServiceError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"We mailed a link to {address}. Open it to start using this address."
                             if address else "Your e-mail address is removed.")
            return redirect("own_email")
    return render(request, "accounts/own_email.html", {"form": form, "confirmed": confirmed_address(user),
                                                       "hours": settings.EMAIL_CONFIRM_HOURS},
                  status=400 if form.errors else 200)


@public
@require_http_methods(["GET", "POST"])
def email_confirm(request, token):
    """The link mailed to a new address: a page with a Confirm button (a GET changes nothing)."""
    user = email_addresses.user_of_token(token)
    if user is None:
        email_addresses.email_confirm_failure_record(context=audit_context(request))
        return render(request, "accounts/email_confirm.html", {"invalid": email_addresses.LINK_INVALID},
                      status=400)
    if request.method == "POST":
        try:
            email_addresses.email_confirm(user=user, context=audit_context(request))
        except ServiceError as exc:
            return render(request, "accounts/email_confirm.html", {"invalid": str(exc)}, status=400)
        messages.success(request, f"Thank you. {user.pending_email} is now the e-mail address of {user.username}.")
        return redirect("own_email" if request.user.is_authenticated and request.user.pk == user.pk else "login")
    return render(request, "accounts/email_confirm.html", {"username": user.username,
                                                           "address": user.pending_email})


@signed_in
def after_login(request):
    """Send a freshly signed-in username to its home account, else any account it has."""
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("account")
    chosen = memberships.filter(account_id=user.home_account_id).first() or memberships.order_by("id").first()
    if chosen is None:
        return render(request, "accounts/no_accounts.html")
    return redirect("core:account-home", account=chosen.account.slug)


class LoginView(auth_views.LoginView):
    """The password step of log-in; twofactor.views.login_view adds the code step to it."""

    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = False

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@require_http_methods(["GET", "POST"])
def logout_view(request):
    """Log out on POST; a GET (the address typed or bookmarked) asks with a Log out button."""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "accounts/logout.html")
    logout(request)
    messages.info(request, "You have logged out.")
    return redirect("login")


logout_view = public(logout_view)


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """django-axes calls this once a username+IP pair is locked: say so, reveal nothing."""
    form = forms.LoginForm(request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/login.html", {"form": form, "locked_minutes": minutes}, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("after-login")

    def form_valid(self, form):
        services.password_change(actor=self.request.user, new_password=form.cleaned_data["new_password1"],
                                 context=audit_context(self.request), keep_session=current_row_id(self.request))
        update_session_auth_hash(self.request, self.request.user)
        session_seen(self.request)  # the session's new key, on its row at once
        messages.success(self.request, "Your password has been changed. Any other browser signed in as you "
                                       "has been signed out.")
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


password_change = signed_in(PasswordChangeView.as_view())


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Forgot password: a username or an address; the same answer whatever it matched (recovery.py)."""
    form = forms.PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        context = audit_context(request)
        recovery.password_reset_request(typed=form.cleaned_data["who"], ip=context.ip if context else "",
                                        site=site_of(request), context=context)
        return redirect("password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        services.password_change(actor=form.user, new_password=form.cleaned_data["new_password1"],
                                 context=audit_context(self.request), reset=True)
        if self.request.user.is_authenticated and self.request.user.pk == form.user.pk:
            self.request.session.flush()  # the reset ended this session too (with all the others)
        else:
            del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.get_success_url())


password_reset = public(password_reset)
password_reset_done = public(auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"))
password_reset_confirm = public(PasswordResetConfirmView.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)
