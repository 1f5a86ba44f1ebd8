"""/claims/ outside any account (namespace claims_all): Claims in all my accounts."""

from django.urls import path

from practicegate.billing import views_all

app_name = "claims_all"

urlpatterns = [
    path("all/", views_all.claims_all, name="all"),
]
