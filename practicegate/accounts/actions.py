"""Activity-log action codes written by the accounts app (the rest are in audit.actions)."""

from practicegate.audit.actions import register

register("auth.time_zone_change", "Changed the time zone of own pages", crud="U")
