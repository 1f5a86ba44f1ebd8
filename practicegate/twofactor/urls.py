from django.urls import path

from practicegate.twofactor import passkey_views, views

app_name = "twofactor"

urlpatterns = [
    path("", views.index, name="index"),
    path("set-up/", views.setup, name="setup"),
    path("turn-off/", views.disable, name="disable"),
    path("recovery-codes/", views.regenerate, name="regenerate"),
    path("verify/", views.verify, name="verify"),
    path("log-in/", views.login_code, name="login"),
    # Passkeys (WebAuthn)
    path("passkeys/", passkey_views.passkey_list, name="passkeys"),
    path("passkeys/options/", passkey_views.options, name="passkey_options"),
    path("passkeys/<int:pk>/remove/", passkey_views.passkey_remove, name="passkey_remove"),
    path("log-in/passkey/", passkey_views.login_passkey, name="login_passkey"),
    path("verify/passkey/", passkey_views.verify_passkey, name="verify_passkey"),
]
