"""Template filters every section's pages share."""

from django import template

from practicegate.core import localtime
from practicegate.core.text import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored phone as every page shows it: (206) 555-0111 in the US, international elsewhere."""
    return phone_display(value or "")


@register.filter
def when(value) -> str:
    """A moment in local time with its zone: 12/07/2026 8:15 AM PST (core.localtime)."""
    return localtime.when_text(value)


@register.filter
def day(value) -> str:
    """A calendar date as pages and date inputs show it: 12/07/2026."""
    return localtime.day_text(value)


@register.filter
def clock(value) -> str:
    """The time of day of a moment, local with its zone: 8:15 AM PST."""
    return localtime.clock_text(value)


@register.filter
def iso(value) -> str:
    """A moment for a <time datetime> attribute: ISO 8601 with the local offset."""
    return localtime.iso_text(value)


@register.filter
def zone_name(value: str) -> str:
    """A time zone as pages name it: Pacific Time (America/Los Angeles)."""
    return localtime.zone_label(value or "")
