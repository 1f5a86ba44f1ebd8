"""Helpers of the Billing tests: an account ready to bill, and clients with services to bill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from practicegate.billing.models import BillingSettings
from practicegate.clients import services as client_services
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.clients.helpers import make_client

GOOD_NPI = "1234567893"  # CMS's example: the check digit of 123456789 is 3


def url(account, name: str, **kwargs) -> str:
    return reverse(f"billing:{name}", kwargs={"account": account.slug, **kwargs})


def settings_data(**overrides) -> dict:
    """Form data of valid billing settings (what a person types)."""
    data = {"provider_kind": "organization", "name": "Sunrise Counseling", "first_name": "", "npi": GOOD_NPI,
            "taxonomy": "101YM0800X", "tax_id_kind": "ein", "tax_id": "12-3456789", "address1": "1 Main St",
            "address2": "", "city": "Albany", "state": "NY", "zip_code": "12207-1234", "phone": "",
            "pay_to_address1": "", "pay_to_address2": "", "pay_to_city": "", "pay_to_state": "",
            "pay_to_zip_code": "", "place_of_service": "11", "rendering_last_name": "", "rendering_first_name": "",
            "rendering_npi": "", "rendering_taxonomy": "", "version": "1"}
    data.update(overrides)
    return data


def ready_account(account, **settings) -> None:
    """Billing settings with nothing for the scrubber to list."""
    with account_scope(account):
        BillingSettings.objects.create(
            account=account, provider_kind="organization", name="Sunrise Counseling", npi=GOOD_NPI,
            taxonomy="101YM0800X", tax_id="123456789", address1="1 Main St", city="Albany", state="NY",
            zip_code="122071234", **settings)


def codes(account, *, n_dx: int = 1, billing=("90837",), payer_id="BHH01", indicator="CI"):
    """(diagnosis codes, {code: billing code}, payer) of the account, made fresh."""
    with account_scope(account):
        dxs = [DiagnosisCode.objects.create(account=account, code=f"F4{i:02d}", description=f"Code {i}")
               for i in range(n_dx)]
        bills = {c: BillingCode.objects.get_or_create(account=account, code=c,
                                                      defaults={"description": c, "fee": Decimal("100.00")})[0]
                 for c in billing}
        payer = InsurancePayer.objects.filter(account=account, name="Blue Harbor").first() or \
            InsurancePayer.objects.create(account=account, name="Blue Harbor", payer_id=payer_id,
                                          claim_filing_indicator=indicator)
    return dxs, bills, payer


def billable_client(account, actor, *, dx_codes, payer, services, policy=None, **client_kw):
    """A client with these diagnoses, a primary policy from 2024-01-01, and `services`:
    [(date, billing code, [indexes into the client's diagnoses]), ...]."""
    client = make_client(account, actor, **client_kw)
    kw = {"actor": actor, "account": account}
    with account_scope(account):
        client_dxs = [client_services.client_diagnosis_add(client=client, code=code, is_primary=i == 0,
                                                           start_date=date(2024, 1, 1), **kw)
                      for i, code in enumerate(dx_codes)]
        client_services.client_policy_add(client=client, payer=payer, data={
            "priority": 1, "member_id": "M123", "effective_date": date(2024, 1, 1), **(policy or {})}, **kw)
        for day, code, pointers in services:
            client_services.client_service_add(client=client, billing_code=code, data={
                "service_date": day, **{f"diagnosis{i}": client_dxs[p] for i, p in enumerate(pointers, start=1)}},
                **kw)
    return client
