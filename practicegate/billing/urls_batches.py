"""The claim batch routes under /a/<account>/billing/ (included by billing.urls, namespace billing)."""

from django.urls import path

from practicegate.billing import views_batches

urlpatterns = [
    path("batches/", views_batches.batch_list, name="batches"),
    path("batches/new/", views_batches.batch_new, name="batch_new"),
    path("batches/<int:batch_number>/", views_batches.batch_detail, name="batch"),
    path("batches/<int:batch_number>/file.837", views_batches.batch_download, name="batch_download"),
    path("batches/<int:batch_number>/acknowledgments/add/", views_batches.ack_upload, name="ack_upload"),
]
