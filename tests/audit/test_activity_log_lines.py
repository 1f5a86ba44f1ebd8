"""The Activity Log for people: levels by name, targets by what they are, detail keys in words,
internal keys and the action's code only under "Technical details"."""

from __future__ import annotations

import re

import pytest

from practicegate.audit.readable import detail_lines
from practicegate.audit.services import record
from practicegate.core.sections import full_levels
from tests.helpers import new_member

pytestmark = pytest.mark.django_db


def _fold(page: str) -> str:
    return "".join(re.findall(r'<details class="technical">.*?</details>', page, re.S))


def _outside_fold(page: str) -> str:
    """The table's text a person reads: without the fold and the tooltips (the codes' places)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.sub(r' title="[^"]*"', "", re.sub(r'<details class="technical">.*?</details>', "", body, flags=re.S))


def test_a_privileges_change_reads_as_level_names_and_names_the_username(owner_client, owner_account, owner):
    desk = new_member(owner_account, "front-desk")
    before = full_levels() | {"account_access": 1}
    after = full_levels() | {"account_access": 0}
    record("privileges.change", account=owner_account, actor=owner, section="account_access", target=desk,
           detail={"username": "front-desk", "before": before, "after": after, "changed": ["account_access"]})
    page = owner_client.get(f"/a/{owner_account.slug}/reports/").content.decode()
    people = _outside_fold(page)
    assert '<span class="detail-key">Account Access:</span> View Only → No Access</li>' in people
    assert "username front-desk" in people and "accounts.user" not in people
    assert "Changed a username&#x27;s privileges" in people and "privileges.change" not in people
    assert "<code>privileges.change</code>" in _fold(page)
    assert "after ›" not in page and "before ›" not in page


def test_internal_keys_are_only_under_technical_details(owner_client, owner_account, owner):
    record("auth.signup", account=owner_account, actor=owner, detail={"provider_name_length": 18})
    record("phi.view", account=owner_account, actor=owner, section="clients", target_type="client_list",
           detail={"shown": 3, "terms_hmac": "8278abcd", "status": "active"})
    page = owner_client.get(f"/a/{owner_account.slug}/reports/").content.decode()
    people = _outside_fold(page)
    assert "terms_hmac" not in people and "provider_name_length" not in people and "8278abcd" not in people
    assert "terms_hmac:</span> 8278abcd" in _fold(page)
    assert "provider_name_length:</span> 18" in _fold(page)
    assert '<span class="detail-key">clients shown:</span> 3</li>' in people
    assert "the client list" in people


def test_detail_words():
    plain, technical = detail_lines({"levels": {"clients": 2, "settings": 0, "reports": 1}, "deactivated": False,
                                     "files": ["billing_codes"], "reason": "two_factor_required", "n": 4})
    assert ("privileges", "Full Access: Clients; View Only: Reports; No Access: Settings") in plain
    assert ("username turned off (no account left)", "no") in plain
    assert ("files", "Billing Codes") in plain
    assert ("reason", "two-factor log-in required") in plain
    assert technical == [("n", "4")]
