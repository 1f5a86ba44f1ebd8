"""The project's URLs plus one PHI page, for the hook's test."""

from django.http import HttpResponse
from django.urls import path

from practicegate.audit.phi import audit_phi_read
from practicegate.core.decorators import account_view
from practicegate.urls import urlpatterns as project_urlpatterns


@account_view("clients")
@audit_phi_read("client")
def client_page(request, account, client_id):
    return HttpResponse(f"client {client_id}")


@account_view("clients")
@audit_phi_read("client")
def missing_client(request, account, client_id):
    return HttpResponse("no such client", status=404)


urlpatterns = [
    path("a/<slug:account>/phi-test/<int:client_id>/", client_page),
    path("a/<slug:account>/phi-missing/<int:client_id>/", missing_client),
    *project_urlpatterns,
]
