"""Local time: the zones people choose, and the one way pages write moments and dates.

Moments are stored in UTC. A request shows them in one zone: the account's on its
pages, the username's own elsewhere (access.middleware activates it). Pages write them
through Django's localization (core/formats: 12/07/2026 8:15 AM PST), never by hand;
exports keep UTC in ISO 8601, for machines.
"""

from __future__ import annotations

import datetime
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.utils import formats, timezone

# The United States first, east to west, as people name them; every other zone follows.
US_ZONES = (
    ("America/New_York", "Eastern Time"),
    ("America/Chicago", "Central Time"),
    ("America/Denver", "Mountain Time"),
    ("America/Phoenix", "Arizona, no daylight saving"),
    ("America/Los_Angeles", "Pacific Time"),
    ("America/Anchorage", "Alaska Time"),
    ("Pacific/Honolulu", "Hawaii Time"),
)
FALLBACK_ZONE = "America/New_York"
ZONE_MAX_LENGTH = 64

NOT_A_ZONE = "Choose a time zone from the list."


@lru_cache(maxsize=1)
def all_zones() -> frozenset[str]:
    """Every IANA zone name this server knows."""
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str) -> bool:
    return isinstance(name, str) and name in all_zones()


def default_zone() -> str:
    """The zone a new account starts with (PRACTICEGATE_TIME_ZONE, else US Eastern)."""
    name = getattr(settings, "DEFAULT_TIME_ZONE", FALLBACK_ZONE)
    return name if is_zone(name) else FALLBACK_ZONE


def activate(name: str) -> None:
    """Show this request's times in zone `name`; a name this server does not know (a zone
    dropped from the database after it was chosen) shows the default zone, never a 500."""
    timezone.activate(name if is_zone(name) else default_zone())


def _is_offered(name: str) -> bool:
    # Old aliases (US/Pacific, EST5EDT) and fixed offsets (Etc/GMT+8) name no place people live in.
    area = name.split("/", 1)[0]
    return "/" in name and area not in {"Etc", "SystemV", "US", "Canada", "Mexico", "Brazil", "Chile"}


@lru_cache(maxsize=1)
def zone_choices() -> tuple:
    """The choices of a zone <select>: the US zones by name, then the world's by region."""
    us = {name for name, _ in US_ZONES}
    others = sorted(name for name in all_zones() if _is_offered(name) and name not in us)
    return (
        ("United States", tuple((name, f"{label} ({name.replace('_', ' ')})") for name, label in US_ZONES)),
        ("Other time zones", tuple((name, name.replace("_", " ")) for name in others)),
    )


def zone_label(name: str) -> str:
    """A zone as a page names it: "Pacific Time (America/Los Angeles)"."""
    for zone, label in US_ZONES:
        if zone == name:
            return f"{label} ({name.replace('_', ' ')})"
    return name.replace("_", " ")


def _local(value: datetime.datetime) -> datetime.datetime:
    """The moment in the zone active for this request."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def when_text(value) -> str:
    """A moment as pages show it, in local time with its zone: 12/07/2026 8:15 AM PST."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return formats.date_format(_local(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def day_text(value) -> str:
    """A calendar date as pages and date inputs show it: 12/07/2026 (a moment: its local day)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return formats.date_format(_local(value), "SHORT_DATE_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def clock_text(value) -> str:
    """The time of day of a moment, local with its zone: 8:15 AM PST."""
    if not isinstance(value, datetime.datetime):
        return ""
    return formats.time_format(_local(value), "TIME_FORMAT")


def short_when_text(value) -> str:
    """A recent moment: its time of day when it is today (local), else the date and time."""
    if not isinstance(value, datetime.datetime):
        return day_text(value)
    if timezone.is_aware(value) and timezone.localdate(value) == timezone.localdate():
        return clock_text(value)
    return when_text(value)


def iso_text(value) -> str:
    """A moment for machines (a <time datetime> attribute): ISO 8601 with the local offset."""
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
