"""/a/<account>/clients/ (namespace clients)."""

from django.urls import path

from practicegate.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
]
