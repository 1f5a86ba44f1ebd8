"""A row something refers to cannot be deleted; the check is open to later features."""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.masterfiles.models import DiagnosisCode
from practicegate.masterfiles.references import (
    references_to,
    register_reference,
    unregister_reference,
)
from tests.helpers import rows_everywhere
from tests.masterfiles.helpers import add_diagnosis, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims_refer_to_f411():
    def check(row):
        return "2 claims" if row.code == "F411" else ""

    register_reference("diagnosis", check)
    yield check
    unregister_reference("diagnosis", check)


def test_nothing_refers_to_rows_yet(rows):
    assert all(references_to(key, row) == [] for key, row in rows.items())


def test_a_row_in_use_is_not_deleted(owner_client, owner_account, rows, claims_refer_to_f411):
    row = rows["diagnosis"]
    response = owner_client.post(url(owner_account, "diagnosis-delete", pk=row.pk), {"version": row.version},
                                 follow=True)
    assert b"in use (2 claims)" in response.content
    assert rows_everywhere(DiagnosisCode).filter(pk=row.pk).exists()
    assert not AuditEvent.objects.filter(account=owner_account, action="diagnosis.delete").exists()


def test_rows_the_check_does_not_name_can_be_deleted(owner_client, owner_account, claims_refer_to_f411):
    row = add_diagnosis(owner_account, "F329", "Depression")
    owner_client.post(url(owner_account, "diagnosis-delete", pk=row.pk), {"version": row.version})
    assert not rows_everywhere(DiagnosisCode).filter(pk=row.pk).exists()
