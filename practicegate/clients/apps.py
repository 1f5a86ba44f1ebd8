from django.apps import AppConfig


class ClientsConfig(AppConfig):
    """Clients: demographics, diagnoses, insurance policies and services given."""

    name = "practicegate.clients"
    label = "clients"

    def ready(self):
        # Imported here, not at the top: apps.py loads before the app registry is ready for models.
        # The action codes and the master-file reference checks are registered before any
        # request, what the Activity Log shows of the search terms kept, and where saves are kept.
        from practicegate.audit import integrity
        from practicegate.clients import actions, actions_csv, demo, history, log_lines, references  # noqa: F401
        from practicegate.clients.selectors import (
            changes_not_matching_the_log,
            searches_not_matching_the_log,
        )
        from practicegate.core.demo import DemoPart, register_demo_part
        from practicegate.core.sections import register_menu_url

        register_menu_url("clients", "clients:list")
        # The rows `audit verify` holds to their events (change values, search terms).
        integrity.register("ClientChange", changes_not_matching_the_log)
        integrity.register("ClientSearch", searches_not_matching_the_log)
        # Its clients' lines name each account's own codes and payers.
        register_demo_part(DemoPart("clients", demo.build, after=("accounts", "masterfiles")))
