"""URL map. Everything under /a/<account>/ is account-scoped and passes AccountMiddleware."""

from django.urls import include, path

from practicegate.accounts import account_views
from practicegate.core.health import health
from practicegate.twofactor import passkey_views
from practicegate.twofactor import views as twofactor_views

# Each feature app adds its account-scoped URLs here, under /a/<account>/.
account_urlpatterns = [
    path("", include("practicegate.accounts.urls_account")),
    path("access/", include("practicegate.access.urls")),
    path("", include("practicegate.masterfiles.urls")),
    path("clients/", include("practicegate.clients.urls")),
    path("reports/", include("practicegate.audit.urls")),
    path("access/copy/", include("practicegate.masterfiles.urls_copy")),
    path("settings/two-factor/", include("practicegate.twofactor.urls_account")),
    # Billing (issue 27): settings, clearinghouses, claims, batches, paper claims (billing/urls.py).
    path("billing/", include("practicegate.billing.urls")),
    # Emergency access ("break the glass"): the member's page (its settings and review are under access/).
    path("emergency/", include("practicegate.clients.urls_emergency")),
]

# Pages outside any account that belong to a feature (My Activity, two-factor set-up).
feature_urlpatterns = [
    path("me/activity/", include("practicegate.audit.urls_me")),
    path("me/two-factor/", include("practicegate.twofactor.urls")),
    path("clients/", include("practicegate.clients.urls_all")),
    # Your sessions (issue 26): the browsers signed in as this username.
    path("me/sessions/", include("practicegate.accounts.urls_sessions")),
    # Owner notices: a username's own e-mail setting (feature: roles)
    path("me/notices/", include("practicegate.access.urls_me")),
    # Claims in all my accounts (the batches feature).
    path("claims/", include("practicegate.billing.urls_all")),
]

urlpatterns = [
    # First: most requests are account pages, and no other route starts with "a/".
    path("a/<slug:account>/", include(account_urlpatterns)),
    path("healthz", health, name="health"),
    path("login/", twofactor_views.login_view, name="login"),  # log-in has the two-factor step
    # Passkeys: log-in with a passkey alone (the button on the log-in page)
    path("login/passkey/", passkey_views.passwordless, name="login_passkey"),
    path("", include("practicegate.accounts.urls")),
    path("switch/", account_views.switch_account, name="switch"),
    path("", include(feature_urlpatterns)),
]

handler400 = "practicegate.core.error_pages.bad_request"
handler403 = "practicegate.core.error_pages.forbidden"
handler404 = "practicegate.core.error_pages.not_found"
handler500 = "practicegate.core.error_pages.server_error"
