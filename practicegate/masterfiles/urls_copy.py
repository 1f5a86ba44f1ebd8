"""Copy Codes to Another Account, under /a/<account>/access/copy/."""

from django.urls import path

from practicegate.masterfiles import views_copy

app_name = "copy"

urlpatterns = [
    path("", views_copy.start, name="start"),
    path("preview/", views_copy.preview, name="preview"),
    path("run/", views_copy.run, name="run"),
    path("done/", views_copy.done, name="done"),
]
