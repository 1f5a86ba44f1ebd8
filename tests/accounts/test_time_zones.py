"""Time zones: an account's (chosen at sign-up, changed in Settings, audited) and a username's own
(My Activity and its other pages outside an account). Stored times stay UTC; pages show local time."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from practicegate.accounts.models import Account, User
from practicegate.audit.models import AuditEvent
from practicegate.audit.services import record
from practicegate.core.localtime import US_ZONES, zone_choices
from tests.accounts.helpers import signup
from tests.helpers import add_member, login_client, make_user

pytestmark = pytest.mark.django_db

# 20:15 UTC on a winter day: 12:15 PM in Los Angeles (PST), 2:15 PM in Chicago (CST).
MOMENT = datetime(2030, 1, 15, 20, 15, tzinfo=UTC)


def settings_url(account) -> str:
    return reverse("core:account-settings", kwargs={"account": account.slug})


def log_url(account) -> str:
    return reverse("audit:activity-log", kwargs={"account": account.slug})


def set_zone(account: Account, zone: str) -> None:
    account.time_zone = zone
    account.save(update_fields=["time_zone"])


def event_at_moment(account, actor) -> AuditEvent:
    with time_machine.travel(MOMENT, tick=False):
        return record("account.update", account=account, actor=actor, section="settings", target=account,
                      detail={"fields": ["name"]})


# --- sign-up ----------------------------------------------------------------------------------

def test_the_sign_up_form_offers_the_us_zones_first_and_preselects_eastern(client):
    html = client.get("/").content.decode()
    options = re.findall(r'<option value="([^"]+)"', html)
    assert options[:len(US_ZONES)] == [zone for zone, _ in US_ZONES]
    assert options[3] == "America/Phoenix" and "Pacific/Honolulu" in options[:7]
    assert "Europe/Berlin" in options and "US/Pacific" not in options  # places, not old aliases
    assert re.search(r'<option value="America/New_York" selected>', html)


def test_sign_up_stores_the_chosen_zone(client):
    response = signup(client, time_zone="America/Los_Angeles")
    assert response.status_code == 302
    account = Account.objects.get(name="Maple Street Counseling")
    assert account.time_zone == "America/Los_Angeles"
    assert account.owner.time_zone == ""  # the owner's own pages follow the home account
    assert AuditEvent.objects.get(account=account, action="auth.signup").detail["time_zone"] == "America/Los_Angeles"


def test_sign_up_without_a_zone_takes_the_default(client):
    assert signup(client).status_code == 302
    assert Account.objects.get(name="Maple Street Counseling").time_zone == "America/New_York"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "pacific", "UTC\x00", "x" * 300])
def test_sign_up_refuses_a_zone_not_in_the_list_and_creates_nothing(client, zone):
    response = signup(client, time_zone=zone)
    assert response.status_code == 400
    assert b"Choose a time zone from the list." in response.content
    assert not Account.objects.exists() and not User.objects.exists()


# --- the account's Settings -------------------------------------------------------------------

def test_settings_change_the_zone_and_log_it(owner_client, owner_account, owner):
    response = owner_client.post(settings_url(owner_account), {
        "name": owner_account.name, "email": owner_account.email, "time_zone": "America/Los_Angeles"})
    assert response.status_code == 302
    owner_account.refresh_from_db()
    assert owner_account.time_zone == "America/Los_Angeles"
    event = AuditEvent.objects.filter(account=owner_account, action="account.update").latest("seq")
    assert event.actor_id == owner.pk and event.section == "settings"
    assert event.detail == {"fields": ["time_zone"], "time_zone_from": "America/New_York",
                            "time_zone_to": "America/Los_Angeles"}
    page = owner_client.get(settings_url(owner_account)).content.decode()
    assert '<option value="America/Los_Angeles" selected>' in page


def test_settings_refuse_a_bad_zone_with_a_message_and_change_nothing(owner_client, owner_account):
    before = AuditEvent.objects.filter(account=owner_account, action="account.update").count()
    response = owner_client.post(settings_url(owner_account), {
        "name": "A New Name", "email": owner_account.email, "time_zone": "America/Atlantis"})
    assert response.status_code == 400
    assert b"Choose a time zone from the list." in response.content
    owner_account.refresh_from_db()
    assert (owner_account.name, owner_account.time_zone) == ("Sunrise Counseling", "America/New_York")
    assert AuditEvent.objects.filter(account=owner_account, action="account.update").count() == before


def test_view_only_on_settings_sees_the_zone_but_cannot_change_it(owner_account):
    from practicegate.core.sections import Level, full_levels

    viewer = make_user("viewer")
    add_member(owner_account, viewer, {**full_levels(), "settings": int(Level.VIEW)})
    set_zone(owner_account, "America/Chicago")
    client = login_client(viewer)
    assert "Central Time (America/Chicago)" in client.get(settings_url(owner_account)).content.decode()
    response = client.post(settings_url(owner_account), {
        "name": owner_account.name, "email": owner_account.email, "time_zone": "Pacific/Honolulu"})
    assert response.status_code == 403
    owner_account.refresh_from_db()
    assert owner_account.time_zone == "America/Chicago"


# --- pages show the zone ----------------------------------------------------------------------

def test_account_pages_show_times_in_the_accounts_zone(owner_client, owner_account, owner):
    set_zone(owner_account, "America/Los_Angeles")
    event = event_at_moment(owner_account, owner)
    page = owner_client.get(log_url(owner_account)).content.decode()
    assert '<time datetime="2030-01-15T12:15:00-08:00">01/15/2030 12:15 PM PST</time>' in page
    assert event.at == MOMENT  # stored in UTC all the same
    set_zone(owner_account, "America/Chicago")
    assert "01/15/2030 2:15 PM CST" in owner_client.get(log_url(owner_account)).content.decode()


def test_summer_times_say_daylight_time(owner_client, owner_account, owner):
    set_zone(owner_account, "America/Los_Angeles")
    with time_machine.travel(datetime(2030, 7, 4, 16, 0, tzinfo=UTC), tick=False):
        record("account.update", account=owner_account, actor=owner, section="settings", target=owner_account)
    assert "07/04/2030 9:00 AM PDT" in owner_client.get(log_url(owner_account)).content.decode()


def test_my_activity_uses_the_usernames_own_zone(owner_client, owner_account, owner):
    set_zone(owner_account, "America/Los_Angeles")
    event_at_moment(owner_account, owner)
    my_activity = reverse("my_activity:index")
    # Blank: the home account's zone.
    page = owner_client.get(my_activity).content.decode()
    assert "01/15/2030 12:15 PM PST" in page and "Pacific Time (America/Los Angeles)" in page
    response = owner_client.post(reverse("own_time_zone"), {"time_zone": "America/Chicago"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.time_zone == "America/Chicago"
    changed = AuditEvent.objects.filter(action="auth.time_zone_change").get()
    assert (changed.account_id, changed.actor_id) == (owner_account.pk, owner.pk)
    assert changed.detail == {"time_zone_from": "home account's", "time_zone_to": "America/Chicago"}
    page = owner_client.get(my_activity).content.decode()
    assert "01/15/2030 2:15 PM CST" in page and "PST" not in page
    # The account's own pages keep the account's zone.
    assert "01/15/2030 12:15 PM PST" in owner_client.get(log_url(owner_account)).content.decode()
    # Back to the home account's zone.
    assert owner_client.post(reverse("own_time_zone"), {"time_zone": ""}).status_code == 302
    assert "01/15/2030 12:15 PM PST" in owner_client.get(my_activity).content.decode()


def test_own_zone_refuses_a_bad_zone_and_changes_nothing(owner_client, owner):
    response = owner_client.post(reverse("own_time_zone"), {"time_zone": "Europe/Nowhere"})
    assert response.status_code == 400
    assert b"Choose a time zone from the list." in response.content
    owner.refresh_from_db()
    assert owner.time_zone == ""
    assert not AuditEvent.objects.filter(action="auth.time_zone_change").exists()


def test_the_zone_does_not_stay_behind_for_the_next_request(owner_client, owner_account, other_account):
    """A thread serves many requests: one account's zone must not leak into another's page."""
    set_zone(owner_account, "Pacific/Honolulu")
    event_at_moment(other_account, other_account.owner)
    owner_client.get(log_url(owner_account))
    other = login_client(other_account.owner)
    assert "01/15/2030 3:15 PM EST" in other.get(log_url(other_account)).content.decode()


def test_every_offered_zone_is_a_real_zone():
    from zoneinfo import ZoneInfo

    for _, options in zone_choices():
        for name, _label in options:
            ZoneInfo(name)


def test_a_stored_zone_the_server_no_longer_knows_shows_the_default_zone(owner_client, owner_account, owner):
    set_zone(owner_account, "Mars/Olympus_Mons")  # as if dropped from the zone database after it was chosen
    event_at_moment(owner_account, owner)
    response = owner_client.get(log_url(owner_account))
    assert response.status_code == 200
    assert "01/15/2030 3:15 PM EST" in response.content.decode()
