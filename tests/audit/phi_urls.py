"""The project's URLs plus one PHI page, for the test of record_phi_read."""

from django.http import HttpResponse
from django.urls import path

from practicegate.audit.phi import record_phi_read
from practicegate.core.decorators import account_view
from practicegate.urls import urlpatterns as project_urlpatterns


@account_view("clients")
def client_page(request, account, client_id):
    """Show one client's PHI, logging the read first as the clients' pages do."""
    record_phi_read(request, target_type="client", target_id=client_id)
    return HttpResponse(f"client {client_id}")


@account_view("clients")
def missing_client(request, account, client_id):
    """Find no client: nothing is shown, so no read is logged."""
    return HttpResponse("no such client", status=404)


urlpatterns = [
    path("a/<slug:account>/phi-test/<int:client_id>/", client_page),
    path("a/<slug:account>/phi-missing/<int:client_id>/", missing_client),
    *project_urlpatterns,
]
