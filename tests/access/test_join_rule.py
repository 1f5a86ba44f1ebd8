"""Joining applies the one membership rule: to the account joined from, and, once joined,
to the account joined (its two-factor requirement like for any member). Issue 11, finding 1."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from practicegate.access import services
from practicegate.accounts.models import Membership
from practicegate.audit.context import audit_context
from practicegate.core.errors import ServiceError
from practicegate.core.sections import Level, full_levels
from tests.access.helpers import url
from tests.helpers import login_client

pytestmark = pytest.mark.django_db


def web_request(user):
    request = RequestFactory().post("/")
    request.user = user if user is not None else AnonymousUser()
    return request


def test_joining_from_an_account_whose_two_factor_requirement_is_unmet_is_refused(
        joiner, owner_account, other_account, outsider):
    owner_account.require_two_factor = True
    owner_account.save()
    code, raw = services.join_code_create(actor=outsider, account=other_account)
    with pytest.raises(ServiceError, match="requires two-factor"):
        services.join_code_redeem(actor=joiner, from_account=owner_account, raw_code=raw,
                                  context=audit_context(web_request(joiner)))
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()
    code.refresh_from_db()
    assert code.used_at is None  # the refusal rolled the use back


def test_joining_from_an_account_without_full_account_access_is_refused(
        joiner, owner_account, other_account, outsider):
    m = joiner.memberships.get(account=owner_account)
    m.levels = {**full_levels(), "account_access": int(Level.VIEW)}
    m.save()
    _code, raw = services.join_code_create(actor=outsider, account=other_account)
    with pytest.raises(ServiceError, match="Full Access to Account Access"):
        services.join_code_redeem(actor=joiner, from_account=owner_account, raw_code=raw)
    assert not Membership.objects.filter(user=joiner, account=other_account).exists()


def test_a_username_joining_an_account_requiring_two_factor_meets_its_gate(
        joiner, owner_account, other_account, outsider):
    other_account.require_two_factor = True
    other_account.save()
    _code, raw = services.join_code_create(actor=outsider, account=other_account)
    web = login_client(joiner)
    response = web.post(url(owner_account, "redeem"), {"join_code": raw}, follow=True)
    assert "requires two-factor log-in" in response.content.decode()
    assert Membership.objects.filter(user=joiner, account=other_account).exists()
    assert web.get(f"/a/{other_account.slug}/")["Location"].startswith("/me/two-factor/set-up/")
    switched = web.get("/switch/", {"to": other_account.slug})
    assert web.get(switched["Location"])["Location"].startswith("/me/two-factor/set-up/")
