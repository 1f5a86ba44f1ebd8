from django.apps import AppConfig


class MasterfilesConfig(AppConfig):
    """Diagnosis codes, billing codes and insurance payers, and copying them between accounts."""

    name = "practicegate.masterfiles"
    label = "masterfiles"
