"""Paper claims (CMS-1500 PDFs), under /a/<account>/billing/ in the "billing" namespace."""

from django.urls import path

from practicegate.billing import views_paper

urlpatterns = [
    path("claims/<int:number>/cms1500.pdf", views_paper.claim_pdf, name="claim_pdf"),
    path("batches/<int:batch_number>/cms1500.pdf", views_paper.batch_pdf, name="batch_pdf"),
]
