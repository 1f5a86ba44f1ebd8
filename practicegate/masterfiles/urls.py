"""/a/<account>/diagnosis-codes/, /billing-codes/ and /payers/ (namespace masterfiles)."""

from django.urls import path

from practicegate.masterfiles import views
from practicegate.masterfiles.importers import IMPORTERS
from practicegate.masterfiles.kinds import BILLING, DIAGNOSIS, PAYER
from practicegate.records.views import import_routes

app_name = "masterfiles"

_ROUTES = [
    ("", "list"),
    ("add/", "add"),
    ("<int:pk>/", "edit"),
    ("<int:pk>/deactivate/", "deactivate"),
    ("<int:pk>/reactivate/", "reactivate"),
    ("<int:pk>/delete/", "delete"),
    ("export.csv", "export"),
]

urlpatterns = [
    path("diagnosis-codes/import-icd10/", views.icd10_import_view, name="diagnosis-icd10"),
]
for _kind, _prefix in ((DIAGNOSIS, "diagnosis-codes/"), (BILLING, "billing-codes/"), (PAYER, "payers/")):
    urlpatterns += [
        path(_prefix + route, views.for_kind(views.VIEWS[name], _kind), {"kind": _kind.section},
             name=f"{_kind.key}-{name}")
        for route, name in _ROUTES
    ]
    urlpatterns += import_routes(IMPORTERS[_kind.key], _prefix)
