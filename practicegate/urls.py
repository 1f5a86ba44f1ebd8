"""URL map. Everything under /a/<account>/ is account-scoped and passes AccountMiddleware."""

from django.urls import include, path

from practicegate.core import views as core_views

# Each feature app adds its account-scoped URLs here, under /a/<account>/.
account_urlpatterns = [
    path("", include("practicegate.core.urls")),
    path("access/", include("practicegate.access.urls")),
    path("", include("practicegate.masterfiles.urls")),
    path("clients/", include("practicegate.clients.urls")),
    path("reports/", include("practicegate.audit.urls")),
    path("access/copy/", include("practicegate.masterfiles.urls_copy")),
    path("settings/two-factor/", include("practicegate.twofactor.urls_account")),
]

# Pages outside any account that belong to a feature (My Activity, two-factor set-up).
feature_urlpatterns = [
    path("me/activity/", include("practicegate.audit.urls_me")),
    path("me/two-factor/", include("practicegate.twofactor.urls")),
    path("clients/", include("practicegate.clients.urls_all")),
]

urlpatterns = [
    path("", include("practicegate.accounts.urls")),
    path("switch/", core_views.switch_account, name="switch"),
    path("a/<slug:account>/", include(account_urlpatterns)),
    path("", include(feature_urlpatterns)),
]

handler400 = "practicegate.core.errors.bad_request"
handler403 = "practicegate.core.errors.forbidden"
handler404 = "practicegate.core.errors.not_found"
handler500 = "practicegate.core.errors.server_error"
