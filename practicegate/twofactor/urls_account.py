from django.urls import path

from practicegate.twofactor import views

app_name = "account_twofactor"

urlpatterns = [
    path("", views.account_settings, name="settings"),
]
