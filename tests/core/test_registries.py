"""What the apps register with core at start-up: each section's menu link and the demo's parts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practicegate.core import demo
from practicegate.core.demo import DemoPart, demo_parts
from practicegate.core.sections import SECTIONS, register_menu_url


def test_every_section_links_its_menu_entry_to_a_page_of_the_account():
    assert {s.key: s.menu_url for s in SECTIONS} == {
        "clients": "clients:list",
        "diagnosis_codes": "masterfiles:diagnosis-list",
        "billing_codes": "masterfiles:billing-list",
        "payers": "masterfiles:payer-list",
        "billing": "billing:home",
        "reports": "audit:activity-log",
        "account_access": "access:index",
        "settings": "core:account-settings",
    }
    for section in SECTIONS:
        assert reverse(section.menu_url, kwargs={"account": "sunrise"}).startswith("/a/sunrise/")


def test_a_menu_link_is_registered_once_and_only_for_a_known_section():
    register_menu_url("clients", "clients:list")  # the same link again changes nothing
    with pytest.raises(ValueError, match="already links"):
        register_menu_url("clients", "masterfiles:payer-list")
    with pytest.raises(ValueError, match="no section"):
        register_menu_url("no_such_section", "clients:list")


def test_the_demo_parts_run_after_what_they_build_on():
    assert [p.name for p in demo_parts()] == ["accounts", "access", "masterfiles", "clients", "billing"]


def test_a_demo_part_waiting_on_a_missing_part_is_refused(monkeypatch):
    monkeypatch.setitem(demo._PARTS, "orphan", DemoPart("orphan", lambda accounts: [], after=("no_such_part",)))
    with pytest.raises(ValueError, match="orphan"):
        demo_parts()
