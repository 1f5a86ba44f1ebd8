"""Helpers of the master-file tests: level sets, URLs, rows added through the service, uploads."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practicegate.core.scoping import account_scope
from practicegate.core.sections import SECTION_KEYS, Level
from practicegate.masterfiles import services
from practicegate.masterfiles.kinds import BILLING, DIAGNOSIS, PAYER

MASTER_SECTIONS = ("diagnosis_codes", "billing_codes", "payers")


def levels_with(level: Level) -> dict:
    base = {key: int(Level.FULL) for key in SECTION_KEYS}
    base.update({key: int(level) for key in MASTER_SECTIONS})
    return base


def url(account, name: str, **kwargs) -> str:
    return reverse(f"masterfiles:{name}", kwargs={"account": account.slug, **kwargs})


def _create(account, kind, data, actor):
    """Add a row through the service, inside the account's scope as a request would be."""
    with account_scope(account):
        return services.masterfile_create(actor=actor, account=account, kind=kind, data=data)


def add_diagnosis(account, code="F411", description="Generalized anxiety disorder", actor=None):
    return _create(account, DIAGNOSIS, {"code": code, "description": description}, actor)


def add_billing(account, code="90837", fee="170.00", actor=None):
    from decimal import Decimal

    return _create(account, BILLING,
                   {"code": code, "description": "Therapy, 60 minutes", "modifier1": "", "modifier2": "",
                    "modifier3": "", "modifier4": "", "fee": Decimal(fee), "units": 1}, actor)


def add_payer(account, name="Blue Harbor Health", payer_id="BHH01", actor=None):
    return _create(account, PAYER,
                   {"name": name, "payer_id": payer_id, "address": "", "city": "", "state": "NY",
                    "zip_code": "12207", "phone": "", "payer_type": "commercial", "notes": ""}, actor)


def post_upload(client, account, kind, content: bytes | str, name="codes.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(url(account, f"{kind}-import"), {"file": SimpleUploadedFile(name, data)})


def upload(client, account, kind, content: bytes | str, name="codes.csv"):
    """Upload; a kept file must redirect to its preview page, which is then opened (a refused
    file answers its 400 page directly)."""
    response = post_upload(client, account, kind, content, name)
    if response.status_code == 302:
        assert response["Location"].startswith(url(account, f"{kind}-import-preview") + "?token=")
        response = client.get(response["Location"])
    elif response.status_code == 200:  # every row valid but nothing new: nothing kept, nothing to confirm
        assert not response.context["preview"].new_rows and not response.context["preview"].token
    return response
