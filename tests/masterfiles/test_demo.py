"""The demo practice's master files differ between accounts, so copying has work to do."""

from __future__ import annotations

import pytest

from practicegate.core.demo import build_demo
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.helpers import rows_of
from tests.masterfiles.plans import explain, page_query

pytestmark = pytest.mark.django_db


def test_demo_accounts_get_different_master_files():
    credentials = build_demo()
    assert all(len(row) == 3 for row in credentials)
    from practicegate.accounts.models import Account

    first, second, third = (Account.objects.get(slug=s) for s in
                            ("sunrise-counseling", "lakeside-therapy", "harbor-psychology"))
    f_codes = rows_of(DiagnosisCode, first).all()
    assert f_codes.count() > 800 and not f_codes.exclude(code__startswith="F").exists()
    counts = [rows_of(BillingCode, a).count() for a in (first, second, third)]
    assert counts[0] == 12 and counts[0] > counts[1] > counts[2]
    fee = {a.slug: rows_of(BillingCode, a).get(code="90791").fee for a in (first, second)}
    assert fee["sunrise-counseling"] != fee["lakeside-therapy"]
    payers = [rows_of(InsurancePayer, a).count() for a in (first, second, third)]
    assert payers[0] > payers[1] > payers[2] > 0


@pytest.mark.postgresql("planner statistics")
def test_right_after_the_demo_a_code_list_reads_its_index_instead_of_sorting_the_account():
    # Without statistics (the demo's rows are new), the planner guessed a few rows per account
    # and sorted all 871 diagnosis codes to show 50; build_demo() ANALYZEs, as after any bulk load.
    from practicegate.accounts.models import Account
    from practicegate.core.scoping import account_scope
    from practicegate.masterfiles.kinds import DIAGNOSIS
    build_demo()
    account = Account.objects.get(slug="sunrise-counseling")
    with account_scope(account):
        plan = explain(page_query(account, DIAGNOSIS))
    assert "Index Scan using diagnosis_code_unique" in plan and "Sort" not in plan, plan
