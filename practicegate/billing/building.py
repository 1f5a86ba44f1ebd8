"""How a client's unbilled services become claims: grouped, ordered, split.

A service is unbilled when it is not voided and on no open claim. Services are grouped per
client, the primary policy in effect on the date of service, and the rendering provider;
each group becomes as many claims as it needs to stay within the 837P's limits: at most
50 lines, and at most 12 distinct diagnoses (each line points at up to four of them).
The services are taken in date order, and a claim is closed when the next service would
break one of the limits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef

from practicegate.billing.models import ClaimLine
from practicegate.clients.models import ClientPolicy, ClientService, Priority

MAX_LINES = 50
MAX_DIAGNOSES = 12


@dataclass
class Draft:
    """One claim to be made: its client, policy, diagnoses in order, and services in order."""

    client_id: int
    policy: ClientPolicy
    rendering: tuple[str, str, str, str]
    services: list = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)

    def fits(self, codes: list[str]) -> bool:
        new = [c for c in dict.fromkeys(codes) if c not in self.diagnoses]
        return len(self.services) < MAX_LINES and len(self.diagnoses) + len(new) <= MAX_DIAGNOSES

    def add(self, service, codes: list[str]) -> None:
        for code in codes:
            if code not in self.diagnoses:
                self.diagnoses.append(code)
        self.services.append(service)

    def pointers(self, codes: list[str]) -> list[int]:
        return [self.diagnoses.index(c) + 1 for c in dict.fromkeys(codes)][:4]


def unbilled_services(account, *, through: date | None = None, client_ids=None):
    """The account's services that are not voided and on no open claim (date order)."""
    on_open_claim = ClaimLine.objects.filter(account=account, service=OuterRef("pk"), open=True)
    services = ClientService.objects.filter(account=account, voided=False).filter(~Exists(on_open_claim))
    if through is not None:
        services = services.filter(service_date__lte=through)
    if client_ids is not None:
        services = services.filter(client_id__in=list(client_ids))
    return services


def service_codes(service) -> list[str]:
    """The diagnosis codes a service points at, in pointer order (as the codes file stores them)."""
    return [d.code.code for d in service.pointers]


def primary_policies(account, client_ids) -> dict[int, list[ClientPolicy]]:
    """The clients' primary policies that are not voided, by client."""
    found: dict[int, list[ClientPolicy]] = defaultdict(list)
    policies = (ClientPolicy.objects.filter(account=account, client_id__in=list(client_ids), voided=False,
                                            priority=Priority.PRIMARY)
                .select_related("payer").order_by("effective_date", "id"))
    for policy in policies:
        found[policy.client_id].append(policy)
    return found


def policy_on(policies: list[ClientPolicy], day: date) -> ClientPolicy | None:
    for policy in policies:
        if policy.effective_date <= day and (policy.end_date is None or day <= policy.end_date):
            return policy
    return None


def plan_claims(account, services: list, rendering: tuple[str, str, str, str]) -> tuple[list[Draft], int]:
    """The claims to make from `services` (with their codes and pointers loaded), and how many
    services were left out because no primary policy covers their date."""
    policies = primary_policies(account, {s.client_id for s in services})
    open_drafts: dict[tuple, Draft] = {}
    drafts: list[Draft] = []
    uncovered = 0
    for service in sorted(services, key=lambda s: (s.client_id, s.service_date, s.pk)):
        policy = policy_on(policies.get(service.client_id, []), service.service_date)
        if policy is None:
            uncovered += 1
            continue
        key = (service.client_id, policy.pk, rendering)
        codes = service_codes(service)
        draft = open_drafts.get(key)
        if draft is None or not draft.fits(codes):
            draft = Draft(service.client_id, policy, rendering)
            open_drafts[key] = draft
            drafts.append(draft)
        draft.add(service, codes)
    return drafts, uncovered

