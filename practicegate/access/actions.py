"""Activity-log action codes written by the access app."""

from practicegate.audit.actions import register, register_group
from practicegate.audit.readable import register_target_noun

register_group("privileges", "Account Access")

register("account.username_add", "Added a username (Allow Account Access)")
register("account.join", "Joined this account")
register("account.join_other", "Joined another account")
register("account.join_found", "Found an account to join (Find Account)")
register("account.join_failed", "Failed to join another account")
register("account.find_failed", "Tried this account's username and password from another account (Find Account)")
register("account.join_code_create", "Created a join code")
register("account.join_code_revoke", "Revoked a join code")
register("account.leave", "Left this account")
register("account.username_remove", "Deleted a username from this account")
register("privileges.change", "Changed a username's privileges")
register("privileges.defaults_change", "Changed the privileges new usernames start with")
register("auth.reauth", "Entered the password again to confirm an action")
register("auth.reauth_failed", "Entered a wrong password when asked to confirm an action")
register_target_noun("access.joincode", "a join code")
# Emergency access ("break the glass", access.emergency)
register_group("emergency", "Emergency access")
register("emergency.settings_change", "Changed the emergency access setting", crud="U")
register("emergency.open", "Used emergency access to open a client's record", crud="E")
register("emergency.no_match", "Tried emergency access with details that matched no client", crud="E")
register("emergency.review", "Marked a use of emergency access as reviewed", crud="U")
register_target_noun("emergency_access", "a use of emergency access")
