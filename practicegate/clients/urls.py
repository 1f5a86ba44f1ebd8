"""/a/<account>/clients/ (namespace clients)."""

from django.urls import path

from practicegate.clients import views, views_csv, views_lines, views_lookups, views_report
from practicegate.clients.imports import CLIENTS
from practicegate.masterfiles.lookups import LOOKUPS
from practicegate.records.views import import_routes

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("add/", views.client_add, name="add"),
    path("export.csv", views_csv.client_export, name="export"),
    *import_routes(CLIENTS),
    path("<int:number>/", views.client_detail, name="detail"),
    path("<int:number>/edit/", views.client_edit, name="edit"),
    path("<int:number>/discharge/", views.client_discharge, name="discharge"),
    path("<int:number>/readmit/", views.client_readmit, name="readmit"),
    path("<int:number>/diagnoses/", views.client_diagnoses, name="diagnoses"),
    path("<int:number>/insurance/", views.client_insurance, name="insurance"),
    path("<int:number>/services/", views.client_services, name="services"),
    path("<int:number>/access-history/", views.client_access_history, name="access-history"),
    # Who accessed a client: the picker, a client's access report and its PDF (views_report).
    path("access-report/", views_report.access_report_pick, name="access-report-pick"),
    path("<int:number>/access-report/", views_report.access_report, name="access-report"),
    path("<int:number>/access-report.pdf", views_report.access_report_pdf, name="access-report-pdf"),
]
for _kind in views_lines.LINE_KINDS.values():
    urlpatterns.append(path(f"<int:number>/{_kind.tab}/add/", views_lines.line_add, {"kind": _kind.key},
                            name=f"{_kind.key}-add"))
    urlpatterns += [
        path(f"<int:number>/{_kind.tab}/<int:line_pk>/{verb}/", views_lines.VIEWS[verb], {"kind": _kind.key},
             name=f"{_kind.key}-{verb}")
        for verb in ("edit", "end", "void") if verb != "end" or _kind.end is not None
    ]
# The code and payer boxes of the line forms ask these as a person types (clients.lookups).
urlpatterns += [path(f"lookup/{key}/", views_lookups.lookup, {"kind": key}, name=f"lookup-{key}") for key in LOOKUPS]
