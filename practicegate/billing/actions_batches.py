"""Activity-log action codes of claim batches and acknowledgments (imported by the AppConfig)."""

from __future__ import annotations

from practicegate.audit.actions import register, register_group

register_group("batch", "Billing")

# In the account whose clearinghouse sends the batch:
register("batch.create", "Built a claim batch", crud="C")
register("batch.ack_upload", "Uploaded an acknowledgment of a claim batch", crud="C")
# In each account whose claims the batch carries (and, for a download, the sender's):
register("batch.claims_add", "Put claims in a claim batch", crud="U")
register("batch.download", "Downloaded a claim batch file", crud="R")
register("batch.ack_apply", "Recorded a clearinghouse's or payer's answer on claims", crud="U")
