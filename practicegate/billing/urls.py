"""/a/<account>/billing/ (namespace billing)."""

from practicegate.billing import urls_batches

app_name = "billing"

urlpatterns = [
    # Claim batches and their acknowledgments (the batches feature).
    *urls_batches.urlpatterns,
]
