"""Client lines refer to master-file rows: such a row cannot be deleted (it may be deactivated).

Registered with the master files' reference registry when the app loads. A voided line
still counts: it stays visible on the client's record and names its code.
"""

from __future__ import annotations

from practicegate.clients.models import ClientDiagnosis, ClientPolicy, ClientService
from practicegate.core.scoping import account_scope
from practicegate.masterfiles.references import register_reference


def _described(count: int, one: str, many: str) -> str:
    if not count:
        return ""
    return f"{count} {one if count == 1 else many}"


def diagnosis_code_references(code) -> str:
    with account_scope(code.account):  # also when a command deletes outside a request
        count = ClientDiagnosis.objects.filter(account_id=code.account_id, code=code).count()
    return _described(count, "client diagnosis", "client diagnoses")


def billing_code_references(code) -> str:
    with account_scope(code.account):  # also when a command deletes outside a request
        count = ClientService.objects.filter(account_id=code.account_id, billing_code=code).count()
    return _described(count, "client service", "client services")


def payer_references(payer) -> str:
    with account_scope(payer.account):  # also when a command deletes outside a request
        count = ClientPolicy.objects.filter(account_id=payer.account_id, payer=payer).count()
    return _described(count, "client insurance policy", "client insurance policies")


register_reference("diagnosis", diagnosis_code_references)
register_reference("billing", billing_code_references)
register_reference("payer", payer_references)
