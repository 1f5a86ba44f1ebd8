from django.urls import path

from practicegate.accounts import session_views

app_name = "sessions"

urlpatterns = [
    path("", session_views.index, name="index"),
    path("<int:row_id>/sign-out/", session_views.sign_out, name="sign-out"),
    path("sign-out-others/", session_views.sign_out_others, name="sign-out-others"),
]
