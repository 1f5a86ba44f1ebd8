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

# Roles and owner notices (feature: roles)
register_group("roles", "Account Access")
register_group("notices", "Account Access")
register("roles.create", "Created a role")
register("roles.change", "Changed a role")
register("roles.delete", "Deleted a role")
register("privileges.apply_role", "Gave a username a role's privileges (applied in several accounts)")
register("privileges.apply_role_denied", "Was refused applying a role here: no Full Access to Account Access now")
register("notices.read", "Marked an owner notice read")
register("notices.emails_off", "Turned owner-notice e-mails off")
register("notices.emails_on", "Turned owner-notice e-mails on")
register_target_noun("access.role", "a role")
register_target_noun("access.ownernotice", "an owner notice")
