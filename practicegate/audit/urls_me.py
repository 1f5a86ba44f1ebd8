from django.urls import path

from practicegate.audit import views

app_name = "my_activity"

urlpatterns = [
    path("", views.my_activity, name="index"),
]
