"""The database itself refuses to change or remove activity-log rows."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from practicegate.audit.checkpoints import sign_head
from tests.audit.helpers import append, bare_account, chain_of, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    acct = bare_account()
    append(acct, 3)
    sign_head(chain_of(acct))
    return acct


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET actor_username = 'mallory' WHERE chain_id = %s",
    "UPDATE audit_auditevent SET seq = seq + 100 WHERE chain_id = %s",
    "DELETE FROM audit_auditevent WHERE chain_id = %s",
    "UPDATE audit_auditcheckpoint SET seq = 1 WHERE chain_id = %s",
    "DELETE FROM audit_auditcheckpoint WHERE chain_id = %s",
])
def test_raw_update_and_delete_are_refused(account, sql):
    chain = chain_of(account)
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        raw(sql, [chain.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(actor_username) FROM audit_auditevent WHERE chain_id = %s", [chain.pk])
        assert cursor.fetchone()[0] == 3
        cursor.execute("SELECT count(*) FROM audit_auditcheckpoint WHERE chain_id = %s", [chain.pk])
        assert cursor.fetchone()[0] == 1


@pytest.mark.postgresql("TRUNCATE is a PostgreSQL statement")
@pytest.mark.parametrize("table", ["audit_auditevent", "audit_auditcheckpoint"])
def test_truncate_is_refused_on_postgresql(account, table):
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        raw(f"TRUNCATE {table}")


def test_inserting_stays_allowed(account):
    append(account, 1)
    assert chain_of(account).seq == 4
