"""The Activity Log shows each event's detail as "key: value" lines and sections by their names."""

from __future__ import annotations

import pytest

from practicegate.audit.services import record

pytestmark = pytest.mark.django_db


def test_detail_lines_and_section_names(owner_client, owner_account, owner):
    record("privileges.change", account=owner_account, actor=owner, section="account_access",
           detail={"username": "front-desk", "changed": {"settings": [2, 1]}, "files": ["billing_codes"]})
    page = owner_client.get(f"/a/{owner_account.slug}/reports/").content.decode()
    assert "<td>Account Access</td>" in page and "<td>account_access</td>" not in page
    assert '<span class="detail-key">username:</span> front-desk</li>' in page
    assert '<span class="detail-key">changed › Settings:</span> 2, 1</li>' in page
    assert '<span class="detail-key">files:</span> Billing Codes</li>' in page
    assert "{&quot;" not in page  # no raw JSON
