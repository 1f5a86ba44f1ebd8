"""/a/<account>/billing/ (namespace billing)."""

from django.urls import path

from practicegate.billing import urls_batches, urls_paper, views, views_claims

app_name = "billing"

urlpatterns = [
    path("", views.billing_home, name="home"),
    path("settings/", views.billing_settings, name="settings"),
    path("clearinghouses/", views.clearinghouse_list, name="clearinghouses"),
    path("clearinghouses/add/", views.clearinghouse_add, name="clearinghouse-add"),
    path("clearinghouses/<int:pk>/", views.clearinghouse_edit, name="clearinghouse"),
    path("clearinghouses/<int:pk>/deactivate/", views.clearinghouse_deactivate, name="clearinghouse-deactivate"),
    path("clearinghouses/<int:pk>/reactivate/", views.clearinghouse_reactivate, name="clearinghouse-reactivate"),
    path("build/", views.claims_build, name="build"),
    path("claims/", views_claims.claim_list, name="claims"),
    path("claims/<int:number>/", views_claims.claim_detail, name="claim"),
    path("claims/<int:number>/edit/", views_claims.claim_edit, name="claim-edit"),
    path("claims/<int:number>/ready/", views_claims.claim_ready, name="claim-ready"),
    path("claims/<int:number>/correct/", views_claims.claim_correct, name="claim-correct"),
    # Paper claims (CMS-1500 PDFs of a claim or a batch)
    *urls_paper.urlpatterns,
    # Claim batches and their acknowledgments (the batches feature).
    *urls_batches.urlpatterns,
]
