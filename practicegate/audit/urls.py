from django.urls import path

from practicegate.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.activity_log, name="activity-log"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("export.ndjson", views.export, {"fmt": "fhir"}, name="export-fhir"),
]
