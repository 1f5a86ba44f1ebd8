from django.urls import path

from practicegate.core import views

app_name = "core"

urlpatterns = [
    path("", views.account_home, name="account-home"),
    path("settings/", views.account_settings, name="account-settings"),
]
