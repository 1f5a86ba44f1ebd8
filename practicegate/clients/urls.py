"""/a/<account>/clients/ (namespace clients)."""

from django.urls import path

from practicegate.clients import views, views_csv
from practicegate.clients.imports import CLIENTS
from practicegate.records.views import import_routes

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("add/", views.client_add, name="add"),
    path("export.csv", views_csv.client_export, name="export"),
    *import_routes(CLIENTS),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/discharge/", views.client_discharge, name="discharge"),
    path("<int:pk>/readmit/", views.client_readmit, name="readmit"),
    path("<int:pk>/diagnoses/", views.client_diagnoses, name="diagnoses"),
    path("<int:pk>/insurance/", views.client_insurance, name="insurance"),
    path("<int:pk>/services/", views.client_services, name="services"),
    path("<int:pk>/access-history/", views.client_access_history, name="access-history"),
]
for _kind in views.LINE_KINDS.values():
    _views = views.build_line_views(_kind)
    urlpatterns += [
        path(f"<int:pk>/{_kind.tab}/add/", _views["add"], name=f"{_kind.key}-add"),
        *(path(f"<int:pk>/{_kind.tab}/<int:line_pk>/{verb}/", _views[verb], name=f"{_kind.key}-{verb}")
          for verb in ("edit", "end", "void") if verb in _views),
    ]
