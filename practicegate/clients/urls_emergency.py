"""/a/<account>/emergency/ (namespace emergency): a member without access to Clients opens one
client read-only ("break the glass"). A page of every member, so not under /clients/."""

from django.urls import path

from practicegate.clients import views_emergency

app_name = "emergency"

urlpatterns = [
    path("", views_emergency.break_glass, name="open"),
]
