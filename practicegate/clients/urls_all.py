"""/clients/ outside any account (namespace clients_all): Find a client in all my accounts."""

from django.urls import path

from practicegate.clients import views_all

app_name = "clients_all"

urlpatterns = [
    path("find/", views_all.find_client, name="find"),
]
