"""Template filters of the Clients section."""

from django import template

from practicegate.clients.forms import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """An E.164 phone number in national format (international for non-US numbers)."""
    return phone_display(value or "")
