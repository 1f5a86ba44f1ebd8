"""A code or payer a client line names cannot be deleted; it may be deactivated, and shows so."""

from __future__ import annotations

import pytest

from practicegate.clients import services
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import account_scope
from practicegate.masterfiles import services as mf
from practicegate.masterfiles.kinds import BILLING, DIAGNOSIS, PAYER
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from tests.clients.helpers import url
from tests.helpers import rows_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def used(owner_account, owner, client_record):
    client = client_record["client"]
    with account_scope(owner_account):
        # A voided line still names its code: it stays on the record.
        services.client_service_void(actor=owner, account=owner_account, client=client,
                                     line=client_record["services"], reason="Entered twice", expected_version=1)
    return client


@pytest.mark.parametrize("kind, key, model, words", [
    (DIAGNOSIS, "dx", DiagnosisCode, "1 client diagnosis"),
    (BILLING, "billing", BillingCode, "1 client service"),
    (PAYER, "payer", InsurancePayer, "1 client insurance policy"),
])
def test_a_row_in_use_cannot_be_deleted(owner_account, owner, codes, used, kind, key, model, words):
    with account_scope(owner_account), pytest.raises(ServiceError) as caught:
        mf.masterfile_delete(actor=owner, account=owner_account, kind=kind, row=codes[key],
                             expected_version=codes[key].version)
    assert words in str(caught.value)
    assert rows_of(model, owner_account).filter(pk=codes[key].pk).exists()


def test_an_unused_row_still_deletes(owner_account, owner, codes, used):
    with account_scope(owner_account):
        mf.masterfile_delete(actor=owner, account=owner_account, kind=DIAGNOSIS, row=codes["dx2"],
                             expected_version=codes["dx2"].version)
    assert not rows_of(DiagnosisCode, owner_account).filter(pk=codes["dx2"].pk).exists()


def test_the_delete_page_says_why_and_the_outside_command_path_too(owner_account, owner, owner_http, codes, used):
    response = owner_http.post(f"/a/{owner_account.slug}/diagnosis-codes/{codes['dx'].pk}/delete/",
                               {"version": codes["dx"].version})
    assert response.status_code == 302
    assert rows_of(DiagnosisCode, owner_account).filter(pk=codes["dx"].pk).exists()
    # Outside any request (a command), the registry opens the code's own account scope.
    with pytest.raises(ServiceError):
        mf.masterfile_delete(actor=owner, account=owner_account, kind=PAYER, row=codes["payer"],
                             expected_version=codes["payer"].version)


def test_deactivated_codes_stay_on_existing_lines_marked_inactive(owner_account, owner, owner_http, codes, used):
    mf.masterfile_set_active(actor=owner, account=owner_account, kind=DIAGNOSIS, row=codes["dx"], active=False,
                             expected_version=codes["dx"].version)
    mf.masterfile_set_active(actor=owner, account=owner_account, kind=PAYER, row=codes["payer"], active=False,
                             expected_version=codes["payer"].version)
    page = owner_http.get(url(owner_account, "diagnoses", number=used.number)).content.decode()
    assert "F41.1" in page and "inactive code" in page
    page = owner_http.get(url(owner_account, "insurance", number=used.number)).content.decode()
    assert codes["payer"].name in page and "inactive payer" in page
    page = owner_http.get(url(owner_account, "services", number=used.number)).content.decode()
    assert "90837" in page and "Voided" in page
    # ...but a new line cannot choose them.
    response = owner_http.post(url(owner_account, "diagnosis-add", number=used.number),
                               {"code": "F41.1", "start_date": "2024-05-01"})
    assert response.status_code == 400 and "no active diagnosis code" in response.content.decode()
