"""The scrubber: every reason a claim cannot be sent yet, in plain words, with the page that fixes it.

A claim becomes Ready only when `problems_of(claim)` is empty. `problems_for` checks a page
of claims in a fixed number of queries (the settings, the claims with their client, policy
and payer, their lines, and the client's services on the lines' dates for the add-on rule).

Sex U ("unknown") is not listed: the 837P allows it in DMG03 for the patient and the
subscriber, and a payer that refuses it says so in its acknowledgment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse

from practicegate.billing import identifiers
from practicegate.billing.models import BillingSettings, Claim, ClaimLine
from practicegate.clients.demo_people import ADD_ONS
from practicegate.clients.models import ClientService, Subscriber


@dataclass(frozen=True)
class Problem:
    text: str
    url: str

    @property
    def needs(self) -> tuple[str, int]:
        """(section, level) the page that fixes it asks: a link is shown only to who may open it."""
        if "/billing/" in self.url:
            return "billing", 2
        if "/payers/" in self.url:
            return "payers", 2
        return "clients", 2 if self.url.endswith("/edit/") else 1


def problems_of(claim: Claim) -> list[Problem]:
    """Every reason `claim` is not ready to send; empty when it is."""
    return problems_for(claim.account, [claim])[claim.pk]


def problems_for(account, claims) -> dict[int, list[Problem]]:
    """{claim id: its problems} for claims of `account`, in a fixed number of queries."""
    ids = [c.pk for c in claims]
    loaded = list(Claim.objects.filter(account=account, pk__in=ids).select_related("client", "policy__payer"))
    lines: dict[int, list[ClaimLine]] = defaultdict(list)
    for line in ClaimLine.objects.filter(account=account, claim_id__in=ids).order_by("claim_id", "line_number"):
        lines[line.claim_id].append(line)
    settings = BillingSettings.objects.filter(account=account).first()
    codes_on = _codes_by_day(account, loaded, lines)
    return {claim.pk: _problems(account, claim, lines[claim.pk], settings, codes_on) for claim in loaded}


def _codes_by_day(account, claims, lines) -> dict[tuple[int, object], set[str]]:
    """{(client id, date): the codes of the client's services that day that are not voided}."""
    days = {line.service_date for claim in claims for line in lines[claim.pk]}
    found: dict[tuple[int, object], set[str]] = defaultdict(set)
    if not days:
        return found
    rows = (ClientService.objects.filter(account=account, voided=False, client_id__in={c.client_id for c in claims},
                                         service_date__in=days)
            .values_list("client_id", "service_date", "billing_code__code"))
    for client_id, day, code in rows:
        found[(client_id, day)].add(code)
    return found


def _urls(account, claim):
    slug = account.slug
    number = claim.client.number
    return {
        "settings": reverse("billing:settings", kwargs={"account": slug}),
        "payer": reverse("masterfiles:payer-edit", kwargs={"account": slug, "pk": claim.policy.payer_id}),
        "client": reverse("clients:edit", kwargs={"account": slug, "number": number}),
        "insurance": reverse("clients:insurance", kwargs={"account": slug, "number": number}),
        "services": reverse("clients:services", kwargs={"account": slug, "number": number}),
        "claim": reverse("billing:claim-edit", kwargs={"account": slug, "number": claim.number}),
    }


def _problems(account, claim, lines, settings, codes_on) -> list[Problem]:
    urls = _urls(account, claim)
    found = _provider_problems(settings, urls["settings"])
    found += _payer_problems(claim, urls["payer"])
    found += _client_problems(claim, urls["client"], urls["insurance"])
    found += _line_problems(claim, lines, codes_on, urls)
    return found


def _provider_problems(settings, url: str) -> list[Problem]:
    if settings is None:
        return [Problem("The billing settings are not filled in: the billing provider's name, NPI, "
                        "taxonomy code, tax ID and address.", url)]
    found = []
    if not settings.name or (settings.provider_kind == "person" and not settings.first_name):
        found.append(Problem("The billing provider's name is missing.", url))
    if not identifiers.npi_is_valid(settings.npi):
        found.append(Problem("The billing provider's NPI is missing or not valid.", url))
    if not identifiers.taxonomy_is_valid(settings.taxonomy):
        found.append(Problem("The billing provider's taxonomy code is missing or not valid.", url))
    if not identifiers.tax_id_is_valid(settings.tax_id):
        found.append(Problem("The billing provider's tax ID (EIN or SSN) is missing.", url))
    if not (settings.address1 and settings.city and settings.state):
        found.append(Problem("The billing provider's address is incomplete.", url))
    if not identifiers.zip9_is_valid(settings.zip_code):
        found.append(Problem("The billing provider's ZIP code needs all 9 digits (ZIP+4).", url))
    if settings.rendering_differs:
        if not identifiers.npi_is_valid(settings.rendering_npi):
            found.append(Problem("The rendering provider's NPI is not valid.", url))
        if not settings.rendering_last_name:
            found.append(Problem("The rendering provider's name is missing.", url))
    return found


def _payer_problems(claim, url: str) -> list[Problem]:
    payer = claim.policy.payer
    found = []
    if not payer.payer_id:
        found.append(Problem(f"The payer {payer.name} has no electronic payer ID.", url))
    if not payer.claim_filing_indicator:
        found.append(Problem(f"The payer {payer.name} has no claim filing indicator.", url))
    return found


def _client_problems(claim, client_url: str, insurance_url: str) -> list[Problem]:
    client, policy = claim.client, claim.policy
    found = []
    if not policy.member_id.strip():
        found.append(Problem("The policy has no subscriber (member) ID.", insurance_url))
    if policy.subscriber == Subscriber.OTHER:
        if not policy.subscriber_name.strip():
            found.append(Problem("The policy's subscriber is another person, but their name is missing.",
                                 insurance_url))
        if policy.subscriber_birth_date is None:
            found.append(Problem("The policy's subscriber is another person, but their date of birth is missing.",
                                 insurance_url))
        if not policy.relationship:
            found.append(Problem("The client's relationship to the subscriber is missing.", insurance_url))
    if client.birth_date is None:
        found.append(Problem("The client's date of birth is missing.", client_url))
    if client.sex not in ("F", "M", "U"):
        found.append(Problem("The client's sex (for claims) is missing.", client_url))
    if not (client.address1.strip() and client.city.strip() and client.state.strip()):
        found.append(Problem("The client's address is incomplete (street, city and state are needed).", client_url))
    if not identifiers.zip_is_valid(client.zip_code):
        found.append(Problem("The client's ZIP code is missing or not valid.", client_url))
    return found


def _line_problems(claim, lines, codes_on, urls) -> list[Problem]:
    found = []
    policy = claim.policy
    if not lines:
        found.append(Problem("The claim has no service lines.", urls["claim"]))
    seen: dict[tuple, int] = {}
    for line in lines:
        n = line.line_number
        if not line.pointers:
            found.append(Problem(f"Line {n} ({line.procedure_code}) points at no diagnosis.", urls["claim"]))
        elif any(p < 1 or p > len(claim.diagnosis_codes) for p in line.pointers):
            found.append(Problem(f"Line {n} points at a diagnosis the claim does not have.", urls["claim"]))
        if not line.units:
            found.append(Problem(f"Line {n} ({line.procedure_code}) has zero units.", urls["services"]))
        if not line.charge or line.charge <= 0:
            found.append(Problem(f"Line {n} ({line.procedure_code}) has no charge.", urls["services"]))
        primaries = ADD_ONS.get(line.procedure_code)
        if primaries is not None and not (codes_on.get((claim.client_id, line.service_date), set()) & primaries):
            found.append(Problem(f"Line {n} is the add-on code {line.procedure_code}, but no service it adds to "
                                 "was given on the same day.", urls["services"]))
        if line.service_date < policy.effective_date or (policy.end_date and line.service_date > policy.end_date):
            found.append(Problem(f"Line {n}'s date of service is outside the policy's dates.", urls["insurance"]))
        key = (line.service_date, line.procedure_code, tuple(line.modifiers))
        if key in seen:
            found.append(Problem(f"Line {n} repeats line {seen[key]} (same date, code and modifiers).",
                                 urls["claim"]))
        else:
            seen[key] = n
    return found
