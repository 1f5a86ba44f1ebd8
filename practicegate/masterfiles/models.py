"""The master files every account keeps: diagnosis codes, billing codes, insurance payers.

Every row carries its account; every read starts from the account.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from practicegate.core.scoping import tenant_manager
from practicegate.records.editing import version_column


class MasterFile(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by every save through the edit page, (de)activation and Copy Codes' replace: an edit
    # form loaded before such a change is refused instead of overwriting it (records.editing).
    version = version_column()

    objects = tenant_manager()

    class Meta:
        abstract = True


class DiagnosisCode(MasterFile):
    """An ICD-10-CM code, stored without its dot (F411) and shown with it (F41.1)."""

    code = models.CharField(max_length=7)
    description = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "code"], name="diagnosis_code_unique"),
        ]

    def __str__(self):
        return f"{self.display_code} {self.description}"

    @property
    def display_code(self) -> str:
        return f"{self.code[:3]}.{self.code[3:]}" if len(self.code) > 3 else self.code


class BillingCode(MasterFile):
    """A CPT or HCPCS procedure code with its default fee and modifiers."""

    code = models.CharField(max_length=5)
    description = models.CharField(max_length=255)
    modifier1 = models.CharField(max_length=2, blank=True)
    modifier2 = models.CharField(max_length=2, blank=True)
    modifier3 = models.CharField(max_length=2, blank=True)
    modifier4 = models.CharField(max_length=2, blank=True)
    fee = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    units = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "code"], name="billing_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class PayerType(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    OTHER = "other", "Other"


class FilingIndicator(models.TextChoices):
    """The claim filing indicator code (837P SBR09): which kind of plan the payer's claims go to."""

    COMMERCIAL = "CI", "CI Commercial insurance"
    BLUE_CROSS = "BL", "BL Blue Cross / Blue Shield"
    MEDICARE_B = "MB", "MB Medicare Part B"
    MEDICAID = "MC", "MC Medicaid"
    HMO = "HM", "HM Health maintenance organization"
    PPO = "12", "12 Preferred provider organization"
    POS = "13", "13 Point of service"
    EPO = "14", "14 Exclusive provider organization"
    TRICARE = "CH", "CH TRICARE (CHAMPUS)"
    VETERANS = "VA", "VA Veterans Affairs plan"
    WORKERS_COMP = "WC", "WC Workers' compensation"
    OTHER_NON_FEDERAL = "11", "11 Other non-federal program"
    OTHER = "ZZ", "ZZ Mutually defined"


class InsurancePayer(MasterFile):
    name = models.CharField(max_length=120)
    payer_id = models.CharField("electronic payer ID", max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP", max_length=10, blank=True)
    phone = models.CharField(max_length=20, blank=True)  # E.164, as core.text.phone_for_storage makes it
    payer_type = models.CharField(max_length=12, choices=PayerType.choices, default=PayerType.COMMERCIAL)
    claim_filing_indicator = models.CharField("claim filing indicator", max_length=2,
                                              choices=FilingIndicator.choices, blank=True)
    notes = models.TextField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "payer_id"], condition=~Q(payer_id=""), name="payer_id_unique"
            ),
        ]
        indexes = [models.Index(fields=["account", "name"], name="payer_account_name")]

    def __str__(self):
        return self.name
