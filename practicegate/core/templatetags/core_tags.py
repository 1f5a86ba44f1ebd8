"""Template filters every section's pages share."""

import datetime

from django import template
from django.utils import formats, timezone

from practicegate.core.text import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored phone as every page shows it: (206) 555-0111 in the US, international elsewhere."""
    return phone_display(value or "")


def _local(value: datetime.datetime) -> datetime.datetime:
    """The moment in the zone active for this request (the account's or the username's)."""
    if timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def when(value) -> str:
    """A moment as pages show it, in local time with its zone: 12/07/2026 8:15 AM PST."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        return formats.date_format(_local(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@register.filter
def day(value) -> str:
    """A calendar date as pages and date inputs show it: 12/07/2026 (a moment: its local day)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        return formats.date_format(_local(value), "SHORT_DATE_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@register.filter
def clock(value) -> str:
    """The time of day of a moment, local with its zone: 8:15 AM PST."""
    if not isinstance(value, datetime.datetime):
        return ""
    return formats.time_format(_local(value), "TIME_FORMAT")


@register.filter
def iso(value) -> str:
    """A moment for machines (a <time datetime> attribute): ISO 8601 with the local offset."""
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
