"""Account Access URLs, under /a/<account>/access/."""

from django.urls import path

from practicegate.access import role_views, views, views_emergency

app_name = "access"

urlpatterns = [
    path("", views.index, name="index"),
    path("allow/", views.allow, name="allow"),
    path("other/", views.other, name="other"),
    path("other/find/", views.find, name="find"),
    path("other/join/", views.join, name="join"),
    path("other/join-code/", views.redeem, name="redeem"),
    path("join-codes/", views.join_codes, name="join-codes"),
    path("join-codes/<int:code_id>/revoke/", views.join_code_revoke, name="join-code-revoke"),
    path("privileges/", views.privileges, name="privileges"),
    path("privileges/defaults/", views.privileges_defaults, name="privileges-defaults"),
    path("privileges/<int:membership_id>/", views.privileges_edit, name="privileges-edit"),
    path("privileges/<int:membership_id>/delete/", views.privileges_delete, name="privileges-delete"),
    path("leave/", views.leave, name="leave"),
    path("confirm-password/", views.confirm_password, name="confirm-password"),
    # Roles and owner notices (feature: roles)
    path("roles/", role_views.role_list, name="roles"),
    path("roles/new/", role_views.role_new, name="role-new"),
    path("roles/apply/", role_views.role_apply, name="role-apply"),
    path("roles/<int:role_id>/", role_views.role_edit, name="role-edit"),
    path("roles/<int:role_id>/delete/", role_views.role_delete, name="role-delete"),
    path("notices/<int:notice_id>/read/", role_views.notice_read, name="notice-read"),
]

# Emergency access ("break the glass"): the owner's setting, and the list of uses to review.
urlpatterns += [
    path("emergency/", views_emergency.emergency_report, name="emergency-report"),
    path("emergency/<int:grant_id>/review/", views_emergency.emergency_review, name="emergency-review"),
    path("emergency/settings/", views_emergency.emergency_settings, name="emergency-settings"),
]
