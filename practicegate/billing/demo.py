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
from practicegate.accounts.models import Membership
from practicegate.audit.models import Channel
from practicegate.billing import claims as claim_services
from practicegate.billing.identifiers import NPI_PREFIX, luhn_check_digit
from practicegate.billing.models import BillingSettings, Clearinghouse, PlaceOfService
from practicegate.clients import services as client_services
from practicegate.clients.models import Relationship, Subscriber
from practicegate.core.scoping import account_scope
from practicegate.core.sections import Level
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer

FILING = {"BHH01": "BL", "MCR02": "MB", "MCD03": "MC", "EVM04": "CI"}


def demo_npi(first_nine: str) -> str:
    """A made-up NPI: nine digits and the check digit CMS's rule gives them."""
    return first_nine + str(luhn_check_digit(NPI_PREFIX + first_nine))


# Per account: (kind, name, first name, taxonomy, EIN, rendering provider or None).
PROVIDERS = [
    ("organization", "Riverside Counseling Group", "", "261QM0801X", "120000001", None),
    ("organization", "Harbor Light Therapy", "", "101YM0800X", "120000002", ("Okafor", "Lena", "103T00000X")),
    ("person", "Demo-Lindqvist", "Mara", "1041C0700X", "120000003", None),
]


def build(accounts) -> list:
    for index, account in enumerate(accounts):
        with account_scope(account):
            _settings(account, index)
            _clearinghouse(account, index)
            _payers(account)
            _give_manager_billing(account)
            client_ids = _clients(account, index)
            built = claim_services.claims_build(actor=account.owner, account=account, client_ids=client_ids)
            _four_modifiers(account, built.claims)
    return []


def _settings(account, index: int) -> None:
    kind, name, first, taxonomy, ein, rendering = PROVIDERS[index % len(PROVIDERS)]
    BillingSettings.objects.create(
        account=account, provider_kind=kind, name=name, first_name=first, npi=demo_npi(f"19{index:01d}0000{index:03d}"),
        taxonomy=taxonomy, tax_id_kind="ein", tax_id=ein, address1=f"{100 + index} Demo Plaza", city="Albany",
        state="NY", zip_code="122071234", phone="+15185550100", place_of_service=PlaceOfService.OFFICE,
        rendering_last_name=rendering[0] if rendering else "", rendering_first_name=rendering[1] if rendering else "",
        rendering_npi=demo_npi(f"18{index:01d}0000{index:03d}") if rendering else "",
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
    membership = Membership.objects.filter(account=account, user__username=MANAGER).first()
    if membership is not None and membership.levels.get("billing") != int(Level.FULL):
        membership.levels = {**membership.levels, "billing": int(Level.FULL)}
        membership.save(update_fields=["levels"])


def _person(first, last, born, sex, index) -> dict:
    return {"first_name": first, "middle_name": "", "last_name": last, "preferred_name": "", "birth_date": born,
            "sex": sex, "gender_identity": "", "address1": f"{20 + index} Claim Street", "address2": "",
            "city": "Albany", "state": "NY", "zip_code": "12207", "home_phone": "", "mobile_phone": "",
            "work_phone": "", "email": "", "emergency_name": "", "emergency_relationship": "",
            "emergency_phone": "", "intake_date": date.today() - timedelta(days=60)}


def _clients(account, index: int) -> list[int]:
    """The five demo shapes in this account; their ids."""
    today = date.today()
    payers = list(InsurancePayer.objects.filter(account=account).exclude(payer_id="").order_by("payer_id"))
    codes = list(DiagnosisCode.objects.filter(account=account, active=True).order_by("code")[:12])
    therapy = BillingCode.objects.filter(account=account, code__in=("90834", "90832")).order_by("-code").first()
    start = today - timedelta(days=90)
    shapes = [
        ("Avery", "Selfpay-Demo", date(1985, 3, 14), "F", {}, 1, 2),
        ("Jonah", "Childclaim-Demo", today.replace(year=today.year - 11), "M",
         {"subscriber": Subscriber.OTHER, "subscriber_name": "Ruth Childclaim-Demo",
          "subscriber_birth_date": date(1982, 7, 2), "relationship": Relationship.CHILD}, 1, 2),
        ("Priya", "Twoplans-Demo", date(1958, 11, 30), "F", {}, 1, 1),
        ("Tomas", "Modifiers-Demo", date(1990, 6, 5), "M", {}, 1, 1),
        ("Wren", "Twelvedx-Demo", date(1979, 1, 22), "U", {}, 12, 3),
    ]
    ids = []
    for n, (first, last, born, sex, subscriber, dx_count, visits) in enumerate(shapes):
        kw = {"actor": account.owner, "account": account, "channel": Channel.CLI}
        client = client_services.client_create(data=_person(first, last, born, sex, n), **kw)
        dxs = [client_services.client_diagnosis_add(client=client, code=code, is_primary=i == 0,
                                                    start_date=start, **kw)
               for i, code in enumerate(codes[:dx_count])]
        client_services.client_policy_add(client=client, payer=payers[0], data={
            "priority": 1, "member_id": f"DEMO{index}{n}0001", "group_number": "G100", "effective_date": start,
            **subscriber}, **kw)
        if n == 2 and len(payers) > 1:
            client_services.client_policy_add(client=client, payer=payers[1], data={
                "priority": 2, "member_id": f"DEMO{index}{n}0002", "effective_date": start}, **kw)
        for visit in range(visits):
            pointed = dxs[visit * 4:visit * 4 + 4] if dx_count > 4 else dxs[:1]
            client_services.client_service_add(client=client, billing_code=therapy, data={
                "service_date": today - timedelta(days=7 * (visit + 1)),
                **{f"diagnosis{i}": dx for i, dx in enumerate(pointed, start=1)}}, **kw)
        ids.append(client.pk)
    return ids


def _four_modifiers(account, claims) -> None:
    """The Modifiers-Demo client's line: telehealth in the home, by a master's-level clinician."""
    for claim in claims:
        if claim.client.last_name == "Modifiers-Demo":
            claim_services.claim_update(actor=account.owner, account=account, claim=claim,
                                        data={"place_of_service": PlaceOfService.TELEHEALTH_HOME,
                                              "prior_authorization": "PA12345"},
                                        lines={1: {"modifiers": ["95", "HO", "GT", "59"], "pointers": [1]}},
                                        expected_version=claim.version)
