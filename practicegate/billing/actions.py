"""Activity-log action codes of the Billing section (imported by the AppConfig)."""

from __future__ import annotations

from practicegate.audit.actions import register, register_group

register_group("billing", "Billing")
register_group("claim", "Claims")
register_group("clearinghouse", "Billing")

register("billing.settings_update", "Changed the billing settings", crud="U")
register("clearinghouse.add", "Added a clearinghouse")
register("clearinghouse.update", "Changed a clearinghouse")
register("clearinghouse.deactivate", "Deactivated a clearinghouse", crud="U")
register("clearinghouse.reactivate", "Reactivated a clearinghouse", crud="U")
register("claim.build", "Built claims from the unbilled services", crud="E")
register("claim.built", "Built a claim from a client's services", crud="C")
register("claim.edited", "Changed a claim", crud="U")
register("claim.ready", "Marked a claim ready to send", crud="U")
register("claim.not_ready", "Checked a claim and found it not ready to send", crud="U")
register("claim.replaced", "Made a replacement claim for a claim already sent", crud="C")
register("claim.voided", "Made a claim that voids a claim already sent", crud="C")
