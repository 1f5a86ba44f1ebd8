"""Billing for the demo practice: each account's billing settings (made-up NPIs that pass the
check digit, example tax IDs), a test clearinghouse, payers ready for electronic claims, and
five clients whose services make ready claims of the shapes a billing service meets: a
self-subscribed adult, a child on a parent's policy, a client with a secondary policy, a
line with four modifiers, and a claim with twelve diagnoses. Right after `make run` the
master username can build one batch across the three accounts.
"""

from __future__ import annotations

from datetime import date, timedelta

from practicegate.access.demo import USERNAME as MANAGER
from practicegate.access.services import membership_levels_set
from practicegate.accounts.models import Membership
from practicegate.audit.models import Channel
from practicegate.billing import claims as claim_services
from practicegate.billing.identifiers import NPI_PREFIX, luhn_check_digit
from practicegate.billing.models import BillingSettings, ClaimLine, Clearinghouse, PlaceOfService
from practicegate.clients import demo_people as people
from practicegate.clients import services as client_services
from practicegate.clients.demo import age_on
from practicegate.clients.models import (
    ClientDiagnosis,
    ClientPolicy,
    ClientService,
    Relationship,
    Subscriber,
)
from practicegate.core.scoping import account_scope
from practicegate.core.sections import Level
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer

FILING = {"BHH01": "BL", "MCR02": "MB", "MCD03": "MC", "EVM04": "CI"}


def demo_npi(first_nine: str) -> str:
    """A made-up NPI: nine digits and the check digit CMS's rule gives them."""
    return first_nine + str(luhn_check_digit(NPI_PREFIX + first_nine))


# Per account: (kind, last and first name of a person (an organization bills under the account's
# name), taxonomy, example EIN, rendering provider or None). Taxonomies: a mental health clinic,
# a counselor's group, a psychologist billing in her own name.
PROVIDERS = [
    ("organization", "", "", "261QM0801X", "120000001", None),
    ("organization", "", "", "101YM0800X", "120000002", ("Okafor", "Lena", "103T00000X")),
    ("person", "Lindqvist", "Mara", "103T00000X", "120000003", None),
]


def build(accounts) -> list:
    for index, account in enumerate(accounts):
        with account_scope(account):
            _settings(account, index)
            _clearinghouse(account, index)
            _payers(account)
            _give_manager_billing(account)
            picked = _pick_clients(account)
            if "twelve" in picked:
                _twelve_diagnoses(account, picked["twelve"])
            built = claim_services.claims_build(actor=account.owner, account=account,
                                                client_ids=[c.pk for c in picked.values()])
            if "modifiers" in picked:
                _four_modifiers(account, [c for c in built.claims if c.client_id == picked["modifiers"].pk])
    return []


def _settings(account, index: int) -> None:
    kind, name, first, taxonomy, ein, rendering = PROVIDERS[index % len(PROVIDERS)]
    BillingSettings.objects.create(
        account=account, provider_kind=kind, name=name or account.name[:60], first_name=first, npi=demo_npi(f"19{index}000{index:03d}"),
        taxonomy=taxonomy, tax_id_kind="ein", tax_id=ein, address1=f"{100 + index} Demo Plaza", city="Albany",
        state="NY", zip_code="122071234", phone="+15185550100", place_of_service=PlaceOfService.OFFICE,
        rendering_last_name=rendering[0] if rendering else "", rendering_first_name=rendering[1] if rendering else "",
        rendering_npi=demo_npi(f"18{index}000{index:03d}") if rendering else "",
        rendering_taxonomy=rendering[2] if rendering else "")


def _clearinghouse(account, index: int) -> None:
    Clearinghouse.objects.create(account=account, name="Demo Clearinghouse (test)", receiver_id="DEMOCH",
                                 submitter_id=f"PGDEMO{index + 1}", submitter_name=account.name[:60],
                                 contact_name="Billing office", contact_phone="+15185550199",
                                 contact_email="billing@example.org", usage="T")


def _payers(account) -> None:
    for payer_id, indicator in FILING.items():
        InsurancePayer.objects.filter(account=account, payer_id=payer_id).update(claim_filing_indicator=indicator)


def _give_manager_billing(account) -> None:
    """The master username bills in every demo account (it joined with the default levels, which
    already include Billing; an account whose defaults left it out is set here, logged)."""
    membership = Membership.objects.filter(account=account, user__username=MANAGER).first()
    if membership is not None and membership.level("billing") != Level.FULL:
        membership_levels_set(actor=account.owner, account=account, membership=membership,
                              levels={**membership.levels, "billing": int(Level.FULL)})


def _adult(client, today) -> bool:
    return age_on(client.birth_date, today) >= 18


def _pick_clients(account) -> dict[str, object]:
    """Existing demo clients of each shape (their primary policy's payer takes electronic claims):
    {"self", "child", "secondary", "modifiers", "twelve"} -> client. A shape the account lacks is left out."""
    today = date.today()
    policies: dict[int, list] = {}
    for policy in (ClientPolicy.objects.filter(account=account, voided=False).select_related("client", "payer")
                   .order_by("client__number", "priority")):
        policies.setdefault(policy.client_id, []).append(policy)
    picked: dict[str, object] = {}
    for client_policies in policies.values():
        primary = client_policies[0]
        client = primary.client
        if client.status != "active" or primary.priority != 1 or not primary.payer.payer_id:
            continue
        if not ClientService.objects.filter(account=account, client=client, voided=False).exists():
            continue
        if len(client_policies) > 1:
            picked.setdefault("secondary", client)
        elif primary.subscriber == Subscriber.OTHER and primary.relationship == Relationship.CHILD \
                and not _adult(client, today):
            picked.setdefault("child", client)
        elif primary.subscriber == Subscriber.SELF and _adult(client, today):
            for shape in ("self", "modifiers", "twelve"):
                if shape not in picked:
                    picked[shape] = client
                    break
    return picked


def _twelve_diagnoses(account, client) -> None:
    """Give an adult client twelve diagnoses (from the adult codes the demo uses) and three visits,
    on weekdays without another visit, each pointing at four of them."""
    today = date.today()
    kw = {"actor": account.owner, "account": account, "channel": Channel.CLI}
    had = {d.code.code: d for d in ClientDiagnosis.objects.filter(account=account, client=client, voided=False)
           .select_related("code")}
    codes = {c.code: c for c in DiagnosisCode.objects.filter(account=account, active=True,
                                                               code__in=people.ADULT_DIAGNOSES)}
    dxs = list(had.values())
    for code in people.ADULT_DIAGNOSES:
        if len(dxs) == 12:
            break
        if code in codes and code not in had:
            dxs.append(client_services.client_diagnosis_add(client=client, code=codes[code], is_primary=False,
                                                            start_date=client.intake_date, **kw))
    therapy = BillingCode.objects.filter(account=account, code="90834").first()
    busy = set(ClientService.objects.filter(account=account, client=client).values_list("service_date", flat=True))
    day, visits = today - timedelta(days=1), 0
    while visits < 3 and therapy is not None and day > client.intake_date:
        if day.weekday() < 5 and day not in busy:
            pointed = dxs[visits * 4:visits * 4 + 4]
            client_services.client_service_add(client=client, billing_code=therapy, data={
                "service_date": day, **{f"diagnosis{i}": dx for i, dx in enumerate(pointed, start=1)}}, **kw)
            visits += 1
        day -= timedelta(days=1)


def _four_modifiers(account, claims) -> None:
    """One claim's first line gets four modifiers: a master's-level clinician (HO), by video (95),
    a separate service (XU, 59). The claim is the modifiers shape's (see _pick_clients)."""
    for claim in claims[:1]:
            first = ClaimLine.objects.filter(account=account, claim=claim, line_number=1).first()
            pointers = first.pointers if first is not None else [1]
            claim_services.claim_update(actor=account.owner, account=account, claim=claim,
                                        data={"place_of_service": PlaceOfService.TELEHEALTH_HOME,
                                              "prior_authorization": "PA12345"},
                                        lines={1: {"modifiers": ["HO", "95", "XU", "59"], "pointers": pointers}},
                                        expected_version=claim.version)
