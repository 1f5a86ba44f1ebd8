"""Activity-log action codes of Copy Codes to Another Account (imported by AppConfig.ready)."""

from practicegate.audit.actions import register, register_group

register_group("codes", "Copy Codes to Another Account")

COPY = register("codes.copy", "Copied codes between accounts")
