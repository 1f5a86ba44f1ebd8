"""ANSI X12 files of the billing app: the 837P claim file written, the 999 and 277CA read."""

from practicegate.billing.x12.acks import AckRefused, AckReport, AckResult, read_ack
from practicegate.billing.x12.writer import batch_file, batch_reference

__all__ = ["AckRefused", "AckReport", "AckResult", "batch_file", "batch_reference", "read_ack"]
