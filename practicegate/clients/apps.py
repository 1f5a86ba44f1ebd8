from django.apps import AppConfig


class ClientsConfig(AppConfig):
    """Clients: demographics, diagnoses, insurance policies and services given."""

    name = "practicegate.clients"
    label = "clients"

    def ready(self):
        # Register the action codes and the master-file reference checks before any request,
        # what the Activity Log shows of the search terms kept, and the rows `audit verify`
        # holds to their events (change values, search terms).
        from practicegate.audit import integrity
        from practicegate.clients import actions, actions_csv, log_lines, references  # noqa: F401
        from practicegate.clients.selectors import (
            changes_not_matching_the_log,
            searches_not_matching_the_log,
        )

        integrity.register("ClientChange", changes_not_matching_the_log)
        integrity.register("ClientSearch", searches_not_matching_the_log)
