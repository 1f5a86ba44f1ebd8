from django.apps import AppConfig


class ClientsConfig(AppConfig):
    """Clients: demographics, diagnoses, insurance policies and services given."""

    name = "practicegate.clients"
    label = "clients"

    def ready(self):
        # Register the action codes and the master-file reference checks before any request,
        # what the Activity Log shows of the search terms kept, and where saves are kept.
        from practicegate.clients import actions, actions_csv, history, log_lines, references  # noqa: F401
