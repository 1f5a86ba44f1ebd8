"""Username Privileges' fast rows tell the same story as the member rows other pages use."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from practicegate.access import selectors
from practicegate.core.sections import full_levels
from tests.helpers import add_member, make_account, make_user

pytestmark = pytest.mark.django_db


def test_privilege_rows_match_member_rows_for_every_kind_of_level_set():
    account = make_account("Sunrise Counseling", "sunrise")
    other = make_account("Lakeside Therapy", "lakeside")
    odd_sets = [
        {"clients": 1, "account_access": 2},
        {"clients": 1, "account_access": 2},  # the same set again: shared, not redrawn
        {"account_access": 2, "clients": 1},  # the same set in another key order
        {},
        {"clients": "x", "payers": 5, "reports": "1", "unknown": 2},
        full_levels(),
    ]
    for i, levels in enumerate(odd_sets):
        user = make_user(f"member{i}", home_account=other if i % 2 else None)
        add_member(account, user, levels)
        TOTPDevice.objects.create(user=user, name="phone", confirmed=i % 3 == 0)
    TOTPDevice.objects.create(user=other.owner, name="phone", confirmed=True)  # not a member here

    fast = selectors.privilege_rows(account)
    full = selectors.member_rows(account)

    assert [r.username for r in fast] == [m.membership.user.username for m in full]
    for row, member in zip(fast, full, strict=True):
        assert row.membership_id == member.membership.pk
        assert row.levels == tuple(member.levels)
        assert row.two_factor is member.two_factor
        assert row.locked_reason == member.locked_reason
        assert row.is_owner is member.membership.is_owner
        assert row.home_account == (member.membership.user.home_account.name
                                    if member.membership.user.home_account else "")
