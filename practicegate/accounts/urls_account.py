from django.urls import path

from practicegate.accounts import account_views as views

# The account's own pages kept the URL namespace they had when they lived in core.
app_name = "core"

urlpatterns = [
    path("", views.account_home, name="account-home"),
    path("settings/", views.account_settings, name="account-settings"),
]
