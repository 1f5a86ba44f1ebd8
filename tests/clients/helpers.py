"""Helpers of the Clients tests: level sets, URLs, client form data and clients added through the service."""

from __future__ import annotations

from django.urls import reverse

from practicegate.clients import services
from practicegate.clients.forms import ClientForm
from practicegate.core.scoping import account_scope
from practicegate.core.sections import SECTION_KEYS, Level


def levels_with(level: Level) -> dict:
    base = {key: int(Level.FULL) for key in SECTION_KEYS}
    base["clients"] = int(level)
    return base


def url(account, name: str, **kwargs) -> str:
    return reverse(f"clients:{name}", kwargs={"account": account.slug, **kwargs})


def client_data(**overrides) -> dict:
    """Form data of a valid client (what a person types)."""
    data = {"first_name": "Zoë", "middle_name": "", "last_name": "O'Brien-Núñez", "preferred_name": "Zo",
            "birth_date": "1990-04-17", "sex": "F", "gender_identity": "", "address1": "12 Elm St",
            "address2": "", "city": "Portland", "state": "OR", "zip_code": "97201", "home_phone": "",
            "mobile_phone": "(503) 555-0123", "work_phone": "", "email": "zoe@example.org",
            "emergency_name": "", "emergency_relationship": "", "emergency_phone": "",
            "intake_date": "2024-01-10"}
    data.update(overrides)
    return data


def _data(**overrides) -> dict:
    """The cleaned data of a valid client (what a service receives)."""
    form = ClientForm(client_data(**overrides))
    assert form.is_valid(), form.errors
    return form.cleaned_data


def make_client(account, actor=None, different_from=(), **overrides):
    """A client added through the service, with the form's cleaning (in the account's scope);
    `different_from`: the numbers of clients with the same name and birth date it is not."""
    form = ClientForm(client_data(**overrides))
    assert form.is_valid(), form.errors
    with account_scope(account):
        return services.client_create(actor=actor, account=account, data=form.cleaned_data,
                                      different_from=different_from)


