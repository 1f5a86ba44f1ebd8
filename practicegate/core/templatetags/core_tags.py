"""Template filters every section's pages share."""

from django import template

from practicegate.core.text import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored phone as every page shows it: (206) 555-0111 in the US, international elsewhere."""
    return phone_display(value or "")
