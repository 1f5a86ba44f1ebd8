"""The account scope in the ORM: tenant rows are reachable only inside one account's scope."""

from __future__ import annotations

import pytest
from django.apps import apps
from django_scopes import ScopeError

from practicegate.accounts.models import Account, Membership, User
from practicegate.core.scoping import NotInAccount, account_scope, across_accounts
from practicegate.masterfiles import services
from practicegate.masterfiles.kinds import DIAGNOSIS
from tests.helpers import rows_of
from tests.walk import ROW_KINDS

pytestmark = pytest.mark.django_db

# Models with an account that are deliberately not scoped, and why.
UNSCOPED = {
    # The doorway: the membership rule reads a username's memberships of every account to
    # decide which account it may open (log-in, the dropdown, the middleware itself), before
    # any scope exists. Its selectors start from the account; the walks check them.
    Membership,
    # home_account is where a username was made, not a tenant boundary.
    User,
}
AUDIT_APP = "audit"  # the activity log is scoped by its own services; left out of this round


def tenant_models() -> list[type]:
    found = []
    for model in apps.get_models():
        points_at_account = any(f.many_to_one and f.related_model is Account for f in model._meta.fields)
        if points_at_account and model not in UNSCOPED and model._meta.app_label != AUDIT_APP:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


TENANT_KINDS = [kind for kind in ROW_KINDS.values() if kind.model in tenant_models()]


def test_every_tenant_model_is_scoped_and_the_walks_can_make_its_rows():
    assert tenant_models(), "no tenant models found"
    made = {kind.model for kind in TENANT_KINDS}
    assert set(tenant_models()) == made, "a model with an account needs a RowKind in tests/walk.py"


@pytest.mark.parametrize("kind", TENANT_KINDS, ids=[k.key for k in TENANT_KINDS])
@pytest.mark.parametrize("query", ["all", "filter", "get", "count", "exists", "first", "values", "update",
                                   "delete", "related", "exclude-then-list"])
def test_an_unscoped_query_raises(kind, query, owner_account):
    row = kind.make(owner_account)
    objects = kind.model.objects
    run = {
        "all": lambda: list(objects.all()),
        "filter": lambda: list(objects.filter(pk=row.pk)),
        "get": lambda: objects.get(pk=row.pk),
        "count": lambda: objects.count(),
        "exists": lambda: objects.exists(),
        "first": lambda: objects.first(),
        "values": lambda: list(objects.values("pk")),
        "update": lambda: objects.filter(pk=row.pk).update(account=owner_account),
        "delete": lambda: objects.all().delete(),
        "related": lambda: list(kind.model.objects.select_related("account").order_by("pk")),
        "exclude-then-list": lambda: list(objects.exclude(pk=0)),
    }[query]
    with pytest.raises(ScopeError):
        run()
    assert rows_of(kind.model, owner_account).filter(pk=row.pk).exists()  # nothing was deleted


@pytest.mark.parametrize("kind", TENANT_KINDS, ids=[k.key for k in TENANT_KINDS])
def test_inside_one_accounts_scope_no_row_of_another_is_reachable(kind, owner_account, other_account):
    mine, theirs = kind.make(owner_account), kind.make(other_account)
    with account_scope(owner_account):
        assert list(kind.model.objects.values_list("pk", flat=True)) == [mine.pk]
        assert not kind.model.objects.filter(pk=theirs.pk).exists()
        with pytest.raises(kind.model.DoesNotExist):
            kind.model.objects.get(pk=theirs.pk)
        # Even a query that names the other account finds nothing, and changes nothing.
        assert kind.model.objects.filter(account=other_account).count() == 0
        assert kind.model.objects.filter(pk=theirs.pk).delete()[0] == 0
    with across_accounts():  # crossing accounts, visibly, sees both
        assert set(kind.model.objects.values_list("pk", flat=True)) == {mine.pk, theirs.pk}


def test_a_scope_needs_a_saved_account():
    with pytest.raises(ValueError):
        account_scope(None)
    with pytest.raises(ValueError):
        account_scope(Account(slug="unsaved"))


def test_a_service_refuses_another_accounts_row_with_a_404(owner_account, other_account):
    """The tenancy check in services is a real error (a 404), not an assert that -O removes."""
    theirs = ROW_KINDS["diagnosis"].make(other_account)
    before = rows_of(DIAGNOSIS.model, other_account).values().get(pk=theirs.pk)
    with account_scope(owner_account), pytest.raises(NotInAccount):
        services.masterfile_update(actor=owner_account.owner, account=owner_account, kind=DIAGNOSIS,
                                   row=theirs, data={"code": "F999", "description": "Taken over"},
                                   expected_version=theirs.version)
    with account_scope(owner_account), pytest.raises(NotInAccount):
        services.masterfile_delete(actor=owner_account.owner, account=owner_account, kind=DIAGNOSIS,
                                   row=theirs, expected_version=theirs.version)
    assert rows_of(DIAGNOSIS.model, other_account).values().get(pk=theirs.pk) == before
