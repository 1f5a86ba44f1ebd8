"""Activity-log action codes of Copy Codes to Another Account (imported by AppConfig.ready)."""

from practicegate.audit.actions import register

COPY = register("codes.copy", "Copied codes between accounts")
