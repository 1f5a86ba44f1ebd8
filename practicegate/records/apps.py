from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The shared records layer: paging, text rules, CSV imports and versioned edits, once."""

    name = "practicegate.records"
    label = "records"
    default_auto_field = "django.db.models.BigAutoField"
