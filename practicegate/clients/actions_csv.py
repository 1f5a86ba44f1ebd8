"""Activity-log action codes of the clients' CSV import (imported by the AppConfig)."""

from __future__ import annotations

from practicegate.audit.actions import register

register("client.import_preview", "Uploaded a CSV file of clients for preview", crud="R")
register("client.import", "Imported clients from a CSV file", crud="C")
