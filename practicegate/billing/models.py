"""Billing: who bills (the account's billing settings), where claims go (clearinghouses),
the claims built from clients' services, the batches that carry them, and the
acknowledgments that come back.

Every row carries its account and is read from the account. Nothing here is deleted:
a claim that needs correcting is replaced (frequency 7) or voided (frequency 8) by a new
claim; a batch and an acknowledgment are kept as received or sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from practicegate.core.scoping import tenant_manager
from practicegate.records.editing import version_column


class ProviderKind(models.TextChoices):
    PERSON = "person", "A person (an individual provider)"
    ORGANIZATION = "organization", "An organization (a group practice)"


class TaxIdKind(models.TextChoices):
    EIN = "ein", "Employer Identification Number (EIN)"
    SSN = "ssn", "Social Security Number (SSN)"


class PlaceOfService(models.TextChoices):
    """CMS place-of-service codes a mental-health practice uses (claim box 24B, CLM05-1)."""

    OFFICE = "11", "11 Office"
    TELEHEALTH_OTHER = "02", "02 Telehealth, not in the client's home"
    TELEHEALTH_HOME = "10", "10 Telehealth in the client's home"
    HOME = "12", "12 Home"
    SCHOOL = "03", "03 School"
    NURSING = "32", "32 Nursing facility"
    OUTPATIENT_HOSPITAL = "22", "22 On-campus outpatient hospital"
    COMMUNITY_MENTAL_HEALTH = "53", "53 Community mental health center"
    PSYCHIATRIC_FACILITY = "52", "52 Psychiatric facility, partial hospitalization"
    OTHER = "99", "99 Other place of service"


class BillingSettings(models.Model):
    """The account's billing provider (837P loop 2010AA) and its defaults: one row per account."""

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, primary_key=True,
                                   related_name="+")
    provider_kind = models.CharField(max_length=12, choices=ProviderKind.choices,
                                     default=ProviderKind.ORGANIZATION)
    # An organization's name, or a person's last name (NM103); a person's first name (NM104).
    name = models.CharField("organization name or last name", max_length=60, blank=True)
    first_name = models.CharField(max_length=35, blank=True)
    npi = models.CharField("NPI", max_length=10, blank=True)
    taxonomy = models.CharField("taxonomy code", max_length=10, blank=True)
    tax_id_kind = models.CharField("tax ID type", max_length=3, choices=TaxIdKind.choices,
                                   default=TaxIdKind.EIN)
    tax_id = models.CharField("tax ID", max_length=9, blank=True)  # 9 digits, no dash
    address1 = models.CharField("address", max_length=55, blank=True)
    address2 = models.CharField("address line 2", max_length=55, blank=True)
    city = models.CharField(max_length=30, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP+4", max_length=9, blank=True)  # 9 digits, no dash
    phone = models.CharField(max_length=20, blank=True)  # E.164 (core.text)
    # Pay-to address (loop 2010AB), only when payments go elsewhere than the billing address.
    pay_to_address1 = models.CharField("pay-to address", max_length=55, blank=True)
    pay_to_address2 = models.CharField("pay-to address line 2", max_length=55, blank=True)
    pay_to_city = models.CharField("pay-to city", max_length=30, blank=True)
    pay_to_state = models.CharField("pay-to state", max_length=2, blank=True)
    pay_to_zip_code = models.CharField("pay-to ZIP", max_length=9, blank=True)
    place_of_service = models.CharField("default place of service", max_length=2,
                                        choices=PlaceOfService.choices, default=PlaceOfService.OFFICE)
    # Rendering provider (loop 2310B) when the person who saw the client is not the billing provider.
    rendering_last_name = models.CharField("rendering provider's last name", max_length=60, blank=True)
    rendering_first_name = models.CharField("rendering provider's first name", max_length=35, blank=True)
    rendering_npi = models.CharField("rendering provider's NPI", max_length=10, blank=True)
    rendering_taxonomy = models.CharField("rendering provider's taxonomy", max_length=10, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = version_column()

    objects = tenant_manager()

    class Meta:
        verbose_name_plural = "billing settings"

    def __str__(self):
        return f"billing settings of account {self.account_id}"

    @property
    def rendering_differs(self) -> bool:
        return bool(self.rendering_npi)


class UsageIndicator(models.TextChoices):
    TEST = "T", "Test"
    PRODUCTION = "P", "Production"


class Clearinghouse(models.Model):
    """Where an account sends its claim files: the receiver (1000B), and the account as submitter (1000A)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    name = models.CharField("clearinghouse name", max_length=60)
    receiver_id = models.CharField("receiver ID", max_length=15)  # ISA08, GS03, 1000B NM109
    submitter_id = models.CharField("submitter ID", max_length=15)  # ISA06, GS02, 1000A NM109
    submitter_name = models.CharField(max_length=60)
    contact_name = models.CharField(max_length=60)
    contact_phone = models.CharField(max_length=20, blank=True)  # E.164 (core.text)
    contact_email = models.EmailField(max_length=80, blank=True)
    usage = models.CharField("test or production", max_length=1, choices=UsageIndicator.choices,
                             default=UsageIndicator.TEST)
    active = models.BooleanField(default=True)
    # The next interchange (ISA13) and group (GS06) control number: taken under a row lock,
    # unique and increasing for this submitter, never reused.
    next_control_number = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = version_column()

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "name", "id"], name="clearinghouse_account_name")]

    def __str__(self):
        return self.name


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY = "ready", "Ready"
    IN_BATCH = "in_batch", "In batch"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    # Replaced or voided by a later claim (frequency 7 or 8): kept, closed.
    REPLACED = "replaced", "Replaced"


# A claim in one of these holds its service lines: a service is on at most one open claim.
OPEN_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.READY, ClaimStatus.IN_BATCH, ClaimStatus.SENT,
                 ClaimStatus.ACCEPTED)


class Frequency(models.TextChoices):
    """CLM05-3, the claim frequency type code."""

    ORIGINAL = "1", "Original claim"
    REPLACEMENT = "7", "Replacement of a prior claim"
    VOID = "8", "Void of a prior claim"


class ClaimCounter(models.Model):
    """The account's next claim number, taken under a row lock, never reused."""

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, primary_key=True,
                                   related_name="+")
    next_number = models.PositiveIntegerField(default=1)

    objects = tenant_manager()

    def __str__(self):
        return f"next claim number {self.next_number}"


class ClaimBatch(models.Model):
    """One 837P interchange as built and sent: the file is kept exactly as it was downloaded.

    The batch belongs to the submitter's account (where the clearinghouse is kept); the claims
    it carries may belong to several accounts, each the builder could bill at the time.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    clearinghouse = models.ForeignKey(Clearinghouse, on_delete=models.PROTECT, related_name="batches")
    control_number = models.PositiveIntegerField()  # ISA13 (and GS06)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    account_ids = models.JSONField(default=list)  # every account whose claims it carries
    claim_count = models.PositiveIntegerField(default=0)
    line_count = models.PositiveIntegerField(default=0)
    total_charge = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    file_text = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # first downloaded

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="claim_batch_number_unique"),
            models.UniqueConstraint(fields=["clearinghouse", "control_number"],
                                    name="claim_batch_control_number_unique"),
        ]
        indexes = [models.Index(fields=["account", "-created_at", "id"], name="claim_batch_account_made")]

    def __str__(self):
        return f"claim batch {self.number}"


class Claim(models.Model):
    """One professional claim: one client, one policy, one rendering provider, up to 50 lines."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField("claim number")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey("clients.ClientPolicy", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    frequency = models.CharField(max_length=1, choices=Frequency.choices, default=Frequency.ORIGINAL)
    # For a replacement or void: the claim it corrects, and the payer's claim number for it (REF*F8).
    original = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections")
    original_reference = models.CharField("payer's claim number", max_length=50, blank=True)
    place_of_service = models.CharField(max_length=2, choices=PlaceOfService.choices,
                                        default=PlaceOfService.OFFICE)
    prior_authorization = models.CharField("prior authorization number", max_length=50, blank=True)
    # ICD-10-CM codes as stored in the diagnosis codes file (HI segment), in order: at most 12.
    diagnosis_codes = models.JSONField(default=list)
    # The rendering provider when not the billing provider (copied from the billing settings).
    rendering_last_name = models.CharField(max_length=60, blank=True)
    rendering_first_name = models.CharField(max_length=35, blank=True)
    rendering_npi = models.CharField(max_length=10, blank=True)
    rendering_taxonomy = models.CharField(max_length=10, blank=True)
    total_charge = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="claims")
    # What the clearinghouse or payer said (from 999 and 277CA acknowledgments), in plain words.
    payer_messages = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = version_column()

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="claim_number_unique"),
        ]
        indexes = [
            models.Index(fields=["account", "status", "id"], name="claim_account_status"),
            models.Index(fields=["account", "client", "id"], name="claim_account_client"),
            models.Index(fields=["batch"], name="claim_batch"),
        ]

    def __str__(self):
        return f"claim {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def control_number(self) -> str:
        """The claim's submitter identifier (CLM01, at most 20 characters): unique across the
        installation, so a 277CA's answer maps back to exactly this claim."""
        return f"PG{self.account_id}C{self.number}"


class ClaimLine(models.Model):
    """One service line (loop 2400), made from one of the client's services."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    service = models.ForeignKey("clients.ClientService", on_delete=models.PROTECT, related_name="+")
    # Kept equal to claim.is_open by the services: the unique index below needs it on this row.
    open = models.BooleanField(default=True)
    line_number = models.PositiveSmallIntegerField()  # LX01, 1..50
    service_date = models.DateField()
    procedure_code = models.CharField(max_length=5)
    modifier1 = models.CharField(max_length=2, blank=True)
    modifier2 = models.CharField(max_length=2, blank=True)
    modifier3 = models.CharField(max_length=2, blank=True)
    modifier4 = models.CharField(max_length=2, blank=True)
    units = models.PositiveSmallIntegerField(default=1)
    charge = models.DecimalField(max_digits=9, decimal_places=2)
    # Diagnosis pointers (SV107): 1-based positions in claim.diagnosis_codes, at most four.
    pointer1 = models.PositiveSmallIntegerField(null=True, blank=True)
    pointer2 = models.PositiveSmallIntegerField(null=True, blank=True)
    pointer3 = models.PositiveSmallIntegerField(null=True, blank=True)
    pointer4 = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        constraints = [
            # A service is billed on at most one open claim, also when two people build at once.
            models.UniqueConstraint(fields=["service"], condition=Q(open=True),
                                    name="claim_line_one_open_per_service"),
            models.UniqueConstraint(fields=["claim", "line_number"], name="claim_line_number_unique"),
        ]
        indexes = [models.Index(fields=["account", "claim", "line_number"], name="claim_line_claim")]

    def __str__(self):
        return f"line {self.line_number} of claim {self.claim_id}"

    @property
    def modifiers(self) -> list[str]:
        return [m for m in (self.modifier1, self.modifier2, self.modifier3, self.modifier4) if m]

    @property
    def pointers(self) -> list[int]:
        return [p for p in (self.pointer1, self.pointer2, self.pointer3, self.pointer4) if p]

    @property
    def control_number(self) -> str:
        """The line item control number (REF*6R): unique across the installation, so a remittance maps back."""
        return f"PG{self.account_id}L{self.pk}"


class AckKind(models.TextChoices):
    FUNCTIONAL = "999", "999 Implementation acknowledgment"
    CLAIM_STATUS = "277CA", "277CA Claim acknowledgment"


class Acknowledgment(models.Model):
    """A 999 or 277CA file uploaded for a batch, kept as received, with what it changed."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, related_name="acknowledgments")
    kind = models.CharField(max_length=5, choices=AckKind.choices)
    file_text = models.TextField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    accepted_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "-uploaded_at", "id"], name="ack_account_uploaded")]

    def __str__(self):
        return f"{self.kind} for batch {self.batch_id}"
