"""core.prepared reads rows into the same instances as the ORM, and the access rule's
membership statement (accounts.rule) answers exactly what the ORM query it replaced did."""

from __future__ import annotations

from datetime import UTC, datetime

from practicegate.accounts.models import Account, Membership
from practicegate.accounts.rule import Refusal, verdict_for, verdicts_for
from practicegate.core.sections import Level
from tests.helpers import add_member, make_account, make_user


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_memberships_read_as_the_orm_reads_them(db):
    user = make_user("prepared-user")
    accounts = [make_account(name, f"prepared-owner-{i}") for i, name in enumerate(["Zeta", "alpha", "Mid"])]
    for i, account in enumerate(accounts):
        m = add_member(account, user, levels={"billing_codes": 1, "diagnosis_codes": 2, "nested": {"x": [i]}})
        m.last_used_at = datetime(2026, 1, 2, 3, 4, 5, 678900 if i else 0, tzinfo=UTC)
        m.save()
    Account.objects.filter(pk=accounts[1].pk).update(default_levels={"clients": 0}, require_two_factor=True)

    orm = list(Membership.objects.select_related("account").filter(user=user)
               .order_by("account__name", "account__id"))
    verdicts = verdicts_for(user)
    assert list(verdicts) == [m.account.slug for m in orm]  # the same order: by name, then id
    for expected, verdict in zip(orm, verdicts.values(), strict=True):
        got = verdict.membership
        assert _fields(got) == _fields(expected)
        assert _fields(got.account) == _fields(expected.account)
        assert got.user is user
        assert not got._state.adding and got._state.db == "default"
    assert isinstance(orm[0].levels["nested"], dict) and verdicts[orm[0].account.slug].membership.levels == orm[0].levels


def test_inactive_username_and_unknown_slug_are_strangers(db):
    user = make_user("prepared-inactive")
    account = make_account("Prepared", "prepared-owner")
    add_member(account, user)
    assert verdict_for(user, account.slug, section="billing_codes", needed=Level.VIEW).allowed
    assert verdict_for(user, "no-such-account").refusal is Refusal.NOT_MEMBER
    assert verdicts_for(user, slugs=[]) == {}
    assert list(verdicts_for(user, slugs=[account.slug, "no-such-account"])) == [account.slug]

    type(user).objects.filter(pk=user.pk).update(is_active=False)  # the object in hand still says active
    assert user.is_active
    assert verdict_for(user, account.slug).refusal is Refusal.NOT_MEMBER
    assert verdicts_for(user) == {}


def test_a_master_file_first_page_reads_as_the_orm_reads_it(owner_account, other_account):
    """masterfiles.selectors reads the first page of a list with a statement written once: the
    same rows, in the same order, with the same values as the ORM's query, and only the account's."""
    from decimal import Decimal

    from practicegate.core.scoping import account_scope
    from practicegate.masterfiles import selectors
    from practicegate.masterfiles.kinds import BILLING, DIAGNOSIS, PAYER
    from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer

    for account, mark in ((owner_account, "own"), (other_account, "other")):
        with account_scope(account):
            for i in range(7):
                DiagnosisCode.objects.create(account=account, code=f"F4{i}{mark[0].upper()}", description=f"{mark} ä {i}",
                                             active=i % 2 == 0)
                BillingCode.objects.create(account=account, code=f"9083{i}", description=f"{mark} {i}",
                                           fee=Decimal(f"{i}.50"), units=i + 1, modifier1="HO" if i else "")
                InsurancePayer.objects.create(account=account, name=f"Payer {'B' if i % 2 else 'a'}", payer_id=f"{mark}{i}",
                                              payer_type="commercial", city="Ünna" if i else "")
    with account_scope(owner_account):
        for kind in (DIAGNOSIS, BILLING, PAYER):
            for size in (3, 7, 50):
                page = selectors.masterfile_page(owner_account, kind, size=size)
                expected = list(selectors.masterfiles_of(owner_account, kind).defer(*selectors._NOT_LISTED)
                                .order_by(*kind.order)[: size + 1])
                assert [r.pk for r in page.rows] == [r.pk for r in expected[:size]]
                for got, want in zip(page.rows, expected, strict=False):
                    for name in kind.listed:
                        g, w = getattr(got, name), getattr(want, name)
                        assert (g() if callable(g) else g) == (w() if callable(w) else w), (kind.key, name)
                assert page.after == (expected[size - 1].pk if len(expected) > size else None)
                assert page.before is None
                assert all(r.account_id == owner_account.pk for r in page.rows)  # deferred, read on demand
            # Next pages, from every row as the cursor: the rows after it in the ORM's order.
            ordered = list(selectors.masterfiles_of(owner_account, kind).order_by(*kind.order))
            for i, cursor in enumerate(ordered):
                page = selectors.masterfile_page(owner_account, kind, size=3, after=cursor.pk)
                assert [r.pk for r in page.rows] == [r.pk for r in ordered[i + 1:i + 4]], (kind.key, i)
                assert page.before == (ordered[i + 1].pk if i + 1 < len(ordered) else None)
                assert page.after == (ordered[i + 3].pk if i + 4 < len(ordered) else None)
    # Another account's row as the cursor is ignored: the first page.
    with account_scope(other_account):
        foreign = selectors.masterfiles_of(other_account, DIAGNOSIS).first().pk
    with account_scope(owner_account):
        page = selectors.masterfile_page(owner_account, DIAGNOSIS, size=3, after=foreign)
        assert [r.pk for r in page.rows] == [r.pk for r in selectors.masterfile_page(owner_account, DIAGNOSIS,
                                                                                      size=3).rows]
        assert page.before is None and all(r.account_id == owner_account.pk for r in page.rows)
