"""Template filters of the Clients section."""

from functools import cache

from django import template
from django.utils import timezone

from practicegate.clients import forms

register = template.Library()


# What the Access history shows for the page a client was seen on and for the fields changed:
# the names on the pages ("Edit Demographics", "Last name"), not the log's keys.
_PAGES = {
    "demographics": "Demographics", "diagnoses": "Diagnoses", "insurance": "Insurance", "services": "Services",
    "access_history": "Access history", "access_report": "Access report", "edit": "Edit Demographics", "discharge": "Discharge Client",
    "readmit": "Re-admit Client", "diagnosis_form": "a diagnosis form", "policy_form": "an insurance policy form",
    "service_form": "a service form",
    "same_person": "Add Client or Edit Demographics, as maybe the same person",
}
_LINES = {"diagnosis": "Diagnosis", "policy": "Insurance policy", "service": "Service"}


@cache
def _field_labels() -> dict[str, str]:
    labels = {}
    for form in (forms.ClientForm, forms.DiagnosisAddForm, forms.PolicyAddForm, forms.ServiceAddForm,
                 forms.VoidForm, forms.EndForm, forms.DischargeForm):
        for name, field in form.base_fields.items():
            if field.label:
                labels.setdefault(name, str(field.label))
    return labels


def _readable(key: str) -> str:
    return str(key).replace("_", " ").capitalize()


@register.filter
def page_name(tab: str) -> str:
    """'diagnosis_form' -> 'a diagnosis form'; 'edit' -> 'Edit Demographics'."""
    return _PAGES.get(tab, _readable(tab))


@register.filter
def line_name(kind: str) -> str:
    return _LINES.get(kind, _readable(kind))


@register.filter
def field_names(names) -> str:
    """['last_name', 'zip_code'] -> 'Last name, ZIP' (the form labels)."""
    labels = _field_labels()
    return ", ".join(labels.get(n, _readable(n)) for n in names or ())


@register.filter
def age(birth_date) -> str:
    """Whole years since `birth_date`, today in the site's time zone ("" without a date)."""
    if not birth_date:
        return ""
    today = timezone.localdate()
    years = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    return str(max(years, 0))
