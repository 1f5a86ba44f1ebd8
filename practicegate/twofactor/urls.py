from django.urls import path

from practicegate.twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.index, name="index"),
    path("set-up/", views.setup, name="setup"),
    path("turn-off/", views.disable, name="disable"),
    path("recovery-codes/", views.regenerate, name="regenerate"),
    path("verify/", views.verify, name="verify"),
    path("log-in/", views.login_code, name="login"),
]
