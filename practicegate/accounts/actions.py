"""Activity-log action codes written by the accounts app (the rest are in audit.actions)."""

from practicegate.audit.actions import register

register("auth.time_zone_change", "Changed the time zone of own pages", crud="U")

# E-mail and password recovery (issue 26). auth.password_reset_request and auth.password_reset are in audit.actions.
register("auth.email_add", "Entered an e-mail address for a username (used once confirmed from its link)", crud="C")
register("auth.email_change", "Entered a new e-mail address for a username (used once confirmed from its link)",
         crud="U")
register("auth.email_remove", "Removed the e-mail address of a username", crud="D")
register("auth.email_confirm", "Confirmed an e-mail address from the link mailed to it", crud="U")
# Your sessions (issue 26)
register("auth.session_end", "Signed out another session of own username")
register("auth.sessions_end_others", "Signed out every other session of own username")
register("auth.sessions_end_password", "Ended own other sessions with a new password")
register("auth.sessions_end_command", "Ended every session of a username from the command line")
