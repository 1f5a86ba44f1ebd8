"""The demo's billing: settings that pass the scrubber, a test clearinghouse, payers ready for
electronic claims, and ready claims of every shape in each account, for the master username."""

from __future__ import annotations

import pytest

from practicegate.access.demo import USERNAME
from practicegate.accounts import demo as accounts_demo
from practicegate.accounts.models import Account, Membership
from practicegate.audit.models import AuditEvent
from practicegate.billing.identifiers import npi_is_valid, taxonomy_is_valid
from practicegate.billing.models import (
    BillingSettings,
    Claim,
    ClaimLine,
    ClaimStatus,
    Clearinghouse,
)
from practicegate.billing.scrubber import problems_for
from practicegate.clients.models import ClientPolicy
from practicegate.core.demo import build_demo
from practicegate.core.scoping import account_scope
from practicegate.core.sections import Level
from practicegate.masterfiles.models import InsurancePayer

pytestmark = pytest.mark.django_db


def test_each_demo_account_has_ready_claims_of_every_shape():
    build_demo()
    accounts = list(Account.objects.filter(slug__in=[a[0] for a in accounts_demo.DEMO_ACCOUNTS]).order_by("id"))
    assert len(accounts) == 3
    npis = set()
    for account in accounts:
        with account_scope(account):
            settings = BillingSettings.objects.get(account=account)
            assert npi_is_valid(settings.npi) and taxonomy_is_valid(settings.taxonomy) and len(settings.tax_id) == 9
            npis.add(settings.npi)
            assert Clearinghouse.objects.filter(account=account, active=True, usage="T").count() == 1
            assert not InsurancePayer.objects.filter(account=account).exclude(payer_id="").filter(
                claim_filing_indicator="").exists()
            claims = list(Claim.objects.filter(account=account).select_related("policy"))
            assert claims and all(c.status == ClaimStatus.READY for c in claims)
            assert all(problems == [] for problems in problems_for(account, claims).values())
            # The shapes: a self-subscribed adult, a child on a parent's policy, a client with a
            # secondary policy, a line with four modifiers, a claim with twelve diagnoses.
            assert any(c.policy.subscriber == "self" for c in claims)
            assert any(c.policy.subscriber == "other" and c.policy.relationship == "child" for c in claims)
            assert any(ClientPolicy.objects.filter(client_id=c.client_id, priority=2).exists() for c in claims)
            assert ClaimLine.objects.filter(claim__in=claims).exclude(modifier4="").exists()
            assert any(len(c.diagnosis_codes) == 12 for c in claims)
            membership = Membership.objects.get(account=account, user__username=USERNAME)
            assert membership.level("billing") == Level.FULL
        assert AuditEvent.objects.filter(account=account, action="claim.built").count() == len(claims)
    assert len(npis) == 3
