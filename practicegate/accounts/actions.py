"""Activity-log action codes written by the accounts app (the rest are in audit.actions)."""

from practicegate.audit.actions import register

register("auth.time_zone_change", "Changed the time zone of own pages", crud="U")

# Your sessions (issue 26)
register("auth.session_end", "Signed out another session of own username")
register("auth.sessions_end_others", "Signed out every other session of own username")
register("auth.sessions_end_password", "Ended own other sessions with a new password")
register("auth.sessions_end_command", "Ended every session of a username from the command line")
