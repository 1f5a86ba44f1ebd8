"""Activity-log action codes of the clients' CSV import (imported by the AppConfig)."""

from __future__ import annotations

from practicegate.audit.actions import register

register("client.import_preview", "Previewed a CSV import of clients", crud="R")
register("client.import", "Imported clients from CSV", crud="C")
