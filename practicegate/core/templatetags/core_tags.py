"""Template filters every section's pages share."""

from django import template

from practicegate.core.text import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored phone as every page shows it: (206) 555-0111 in the US, international elsewhere."""
    return phone_display(value or "")


@register.filter
def field_label(form, name: str) -> str:
    """The label `form` shows for field `name`; a readable form of the name when it has none.

    A conflict box names the fields someone else changed as the form beside it labels them
    ("Last name", not "last_name"); fields that are not on this form (status on the
    discharge page) get their name with spaces."""
    field = getattr(form, "fields", {}).get(name)
    if field is not None and field.label:
        return str(field.label)
    return str(name).replace("_", " ").capitalize()
