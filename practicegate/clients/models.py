"""Clients and the lines of their record: diagnoses, insurance policies, services given.

Every row carries its account (the tenant key; every composite index starts with it) and
is reachable only inside that account's scope. Clients are never deleted: they are
discharged and re-admitted. Lines are ended or voided, never removed; a voided line stays
visible as voided. Master-file rows a line names are protected from deletion (PROTECT
here, and the master files' reference registry for the message, see references.py).
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone

from practicegate.core.scoping import tenant_manager
from practicegate.records.editing import version_column


class Sex(models.TextChoices):
    """Sex as recorded for claims (the X12 837 codes)."""

    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Unknown"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"


class ClientCounter(models.Model):
    """The account's next client number: numbers are taken under a row lock, never reused."""

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE,
                                   primary_key=True, related_name="+")
    next_number = models.PositiveIntegerField(default=1)

    objects = tenant_manager()

    def __str__(self):
        return f"next client number {self.next_number}"


# A client's last_service_date when no service (not voided) is recorded: sorts before every real one.
NO_SERVICE = date(1, 1, 1)


class Client(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="clients")
    number = models.PositiveIntegerField("client number")
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField("date of birth")
    sex = models.CharField("sex (for claims)", max_length=1, choices=Sex.choices)
    gender_identity = models.CharField(max_length=60, blank=True)
    address1 = models.CharField("address", max_length=100, blank=True)
    address2 = models.CharField("address line 2", max_length=100, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)  # USPS code
    zip_code = models.CharField("ZIP", max_length=10, blank=True)  # 12345 or 12345-6789
    # Phones are stored in E.164 (+15035550123) and shown in national format.
    home_phone = models.CharField(max_length=20, blank=True)
    mobile_phone = models.CharField(max_length=20, blank=True)
    work_phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField("e-mail", max_length=254, blank=True)
    emergency_name = models.CharField("emergency contact", max_length=120, blank=True)
    emergency_relationship = models.CharField("emergency contact's relationship", max_length=60, blank=True)
    emergency_phone = models.CharField("emergency contact's phone", max_length=20, blank=True)
    intake_date = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    discharge_date = models.DateField(null=True, blank=True)
    # Derived on every save by the services (text.fold): never typed, never shown.
    search_key = models.CharField(max_length=320, editable=False)  # first last preferred, folded
    sort_key = models.CharField(max_length=210, editable=False)  # last first, folded: list order
    # Each phone's digits, last first (text.phone_key): a search by a number's last digits
    # reads a range of one index per phone.
    home_phone_key = models.CharField(max_length=20, editable=False, blank=True, default="")
    mobile_phone_key = models.CharField(max_length=20, editable=False, blank=True, default="")
    work_phone_key = models.CharField(max_length=20, editable=False, blank=True, default="")
    # The latest date of service of the client's services that are not voided, kept by the
    # services (services.refresh_last_service) so the list sorts by it from an index;
    # NO_SERVICE (a date before any service) when there is none, so the column is never
    # NULL and keyset paging compares plain values.
    last_service_date = models.DateField(default=NO_SERVICE, editable=False)
    version = version_column()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="client_number_unique"),
            models.CheckConstraint(
                condition=Q(status="active", discharge_date__isnull=True)
                | Q(status="discharged", discharge_date__isnull=False),
                name="client_discharge_date_matches_status"),
        ]
        indexes = [
            models.Index(fields=["account", "sort_key", "id"], name="client_account_sort"),
            models.Index(fields=["account", "status", "sort_key", "id"], name="client_account_status_sort"),
            models.Index(fields=["account", "search_key"], name="client_account_search"),
            models.Index(fields=["account", "home_phone_key"], name="client_home_phone_key"),
            models.Index(fields=["account", "mobile_phone_key"], name="client_mobile_phone_key"),
            models.Index(fields=["account", "work_phone_key"], name="client_work_phone_key"),
            # The list's other orders (core.paging keysets), with and without the status filter.
            models.Index(fields=["account", "status", "number"], name="client_account_status_number"),
            models.Index(fields=["account", "birth_date", "id"], name="client_account_birth_id"),
            models.Index(fields=["account", "status", "birth_date", "id"], name="client_account_status_birth"),
            models.Index(fields=["account", "last_service_date", "id"], name="client_account_seen"),
            models.Index(fields=["account", "status", "last_service_date", "id"], name="client_account_status_seen"),
        ]

    def __str__(self):
        return f"client {self.number}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def has_service(self) -> bool:
        """Whether any service (not voided) is recorded: last_service_date is a real date."""
        return self.last_service_date != NO_SERVICE


class ClientLine(models.Model):
    """What diagnoses, policies and services share: their account, client, version, voiding."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    voided = models.BooleanField(default=False)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    version = version_column()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        abstract = True


class ClientDiagnosis(ClientLine):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.ForeignKey("masterfiles.DiagnosisCode", on_delete=models.PROTECT, related_name="+")
    is_primary = models.BooleanField("primary", default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            # The services refuse overlapping dates of one code; the database refuses two open-ended ones.
            models.UniqueConstraint(fields=["account", "client", "code"],
                                    condition=Q(voided=False, end_date__isnull=True),
                                    name="client_dx_one_open_per_code"),
        ]
        indexes = [
            models.Index(fields=["account", "client", "start_date", "id"], name="client_dx_client"),
            models.Index(fields=["account", "code"], name="client_dx_code"),
        ]

    def __str__(self):
        return f"diagnosis {self.pk} of client {self.client_id}"


class Priority(models.IntegerChoices):
    PRIMARY = 1, "Primary"
    SECONDARY = 2, "Secondary"
    TERTIARY = 3, "Tertiary"


class Subscriber(models.TextChoices):
    SELF = "self", "Self"
    OTHER = "other", "Another person"


class Relationship(models.TextChoices):
    """The client's relationship to the subscriber of the policy."""

    SPOUSE = "spouse", "Spouse"
    CHILD = "child", "Child"
    OTHER = "other", "Other"


class ClientPolicy(ClientLine):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="policies")
    payer = models.ForeignKey("masterfiles.InsurancePayer", on_delete=models.PROTECT, related_name="+")
    member_id = models.CharField("member ID", max_length=40)
    group_number = models.CharField(max_length=40, blank=True)
    subscriber = models.CharField(max_length=5, choices=Subscriber.choices, default=Subscriber.SELF)
    subscriber_name = models.CharField(max_length=120, blank=True)  # when subscriber is another person
    subscriber_birth_date = models.DateField(null=True, blank=True)
    relationship = models.CharField(max_length=10, choices=Relationship.choices, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.PRIMARY)
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "client policies"
        constraints = [
            # The services refuse overlapping dates; the database refuses two open-ended ones.
            models.UniqueConstraint(fields=["account", "client", "priority"],
                                    condition=Q(voided=False, end_date__isnull=True),
                                    name="client_policy_one_open_per_priority"),
        ]
        indexes = [
            models.Index(fields=["account", "client", "priority", "id"], name="client_policy_client"),
            models.Index(fields=["account", "payer"], name="client_policy_payer"),
        ]

    def __str__(self):
        return f"policy {self.pk} of client {self.client_id}"


class ClientService(ClientLine):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="services")
    service_date = models.DateField("date of service")
    billing_code = models.ForeignKey("masterfiles.BillingCode", on_delete=models.PROTECT, related_name="+")
    units = models.PositiveSmallIntegerField(default=1)
    fee = models.DecimalField(max_digits=9, decimal_places=2)
    # Diagnosis pointers (claim box 24E): up to four of this client's diagnoses, in order.
    diagnosis1 = models.ForeignKey(ClientDiagnosis, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    diagnosis2 = models.ForeignKey(ClientDiagnosis, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    diagnosis3 = models.ForeignKey(ClientDiagnosis, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    diagnosis4 = models.ForeignKey(ClientDiagnosis, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["account", "client", "service_date", "id"], name="client_service_client"),
            models.Index(fields=["account", "billing_code"], name="client_service_code"),
        ]

    def __str__(self):
        return f"service {self.pk} of client {self.client_id}"

    @property
    def pointers(self) -> list:
        return [d for d in (self.diagnosis1, self.diagnosis2, self.diagnosis3, self.diagnosis4) if d]


class ClientChange(models.Model):
    """The before and after values of one change to a client's record.

    The activity-log event of the change names the fields and carries a SHA-256 of these
    values (so the chain vouches for them), but never the values themselves: a name, a
    birth date or a diagnosis is PHI, and the log's detail holds none. This row, written in
    the same transaction and readable only with access to Clients, holds them. It is what
    a refused, stale edit shows as the other username's change.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="changes")
    # No database foreign key: the events table is insert-only and must stay truncate-proof
    # by its own trigger (a constraint would answer first); events are never deleted anyway.
    event = models.OneToOneField("audit.AuditEvent", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False)
    line = models.CharField(max_length=10, blank=True)  # "", "diagnosis", "policy" or "service"
    line_id = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField()  # of the client (or the line) after the change
    changes = models.JSONField()  # {field: [before, after]}

    objects = tenant_manager()

    class Meta:
        indexes = [
            models.Index(fields=["account", "client", "line", "line_id", "version"], name="client_change_row"),
        ]

    def __str__(self):
        return f"change {self.pk} of client {self.client_id}"


class SearchKind(models.TextChoices):
    """Which page searched: the account's client list, or Find a client in all my accounts."""

    LIST = "list", "Clients list"
    ALL_ACCOUNTS = "all_accounts", "Find a client in all my accounts"


class ClientSearch(models.Model):
    """What one logged search of clients was for: the terms as typed (after NFC).

    The search's `phi.view` event records the kind of search, the clients shown and an
    HMAC of the folded terms (so the chain vouches for them), never the terms: a name,
    a birth date or a phone searched for is PHI, and the log is readable under Reports
    without Clients. This row, written in the same transaction, holds the terms for
    those who may read Clients (the Activity Log shows them to such a viewer only).
    Find a client in all my accounts writes one per searched account, beside that
    account's own event.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    # No database foreign key, for the same reason as ClientChange.event.
    event = models.OneToOneField("audit.AuditEvent", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False)
    kind = models.CharField(max_length=12, choices=SearchKind.choices)
    terms = models.TextField()  # NFC can lengthen a few characters: no length limit here

    objects = tenant_manager()

    class Meta:
        verbose_name_plural = "client searches"

    def __str__(self):
        return f"search {self.pk} ({self.kind})"
