"""Activity-log action codes of paper claims (CMS-1500 PDFs), imported by the AppConfig."""

from __future__ import annotations

from practicegate.audit.actions import register, register_group

register_group("billing", "Billing")

CLAIM_PDF = register("billing.claim_pdf", "Downloaded a claim as a paper claim form (CMS-1500)", crud="R")
BATCH_PDF = register("billing.batch_pdf", "Downloaded a claim batch as paper claim forms (CMS-1500)",
                     crud="R")
