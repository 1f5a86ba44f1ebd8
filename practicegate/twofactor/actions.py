"""Activity-log action codes of two-factor log-in."""

from practicegate.audit.actions import register, register_group

register_group("twofactor", "Two-factor log-in")

register("twofactor.enable", "Turned on two-factor log-in")
register("twofactor.disable", "Turned off two-factor log-in")
register("twofactor.recovery_code_used", "Used a recovery code")
register("twofactor.recovery_codes_regenerated", "Made new recovery codes")
register("twofactor.code_failed", "Entered a wrong two-factor code")
register("twofactor.password_failed", "Entered a wrong password to change two-factor log-in")
register("twofactor.verify", "Entered a two-factor code for this session")
register("twofactor.requirement_on", "Required two-factor log-in for this account")
register("twofactor.requirement_off", "Stopped requiring two-factor log-in for this account")
# Passkeys (WebAuthn)
register("twofactor.passkey_added", "Added a passkey")
register("twofactor.passkey_used", "Used a passkey")
register("twofactor.passkey_refused", "Tried a passkey that was refused")
register("twofactor.passkey_removed", "Removed a passkey")
