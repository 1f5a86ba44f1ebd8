from django.urls import path

from practicegate.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("logout/", views.logout_view, name="logout"),
    path("start/", views.after_login, name="after-login"),
    path("password/change/", views.password_change, name="password_change"),
    path("me/time-zone/", views.own_time_zone, name="own_time_zone"),
    # E-mail and password recovery (issue 26)
    path("me/email/", views.own_email, name="own_email"),
    path("me/email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
]
