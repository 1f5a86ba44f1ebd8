"""A username's own owner-notice setting, under /me/notices/ (feature: roles)."""

from django.urls import path

from practicegate.access import role_views

urlpatterns = [
    path("", role_views.notice_settings, name="notice-settings"),
]
