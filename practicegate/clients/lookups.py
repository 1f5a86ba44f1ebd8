"""The lookup box of a client form: a code or payer found by typing its code or words.

Without JavaScript it is a text box: an exact code (or payer ID) saves at once; other words
come back as a "choose one" step, the matches listed as radio buttons beside the rest of
the form as it was filled in. With JavaScript (clients/static/clients/lookup.js) the same
box becomes a WAI-ARIA combobox whose options come from the lookup endpoint
(views_lookups) as you type. Either way the form posts the chosen row under the field's
own name (a diagnosis code, or a billing code's or payer's id), and the server checks it
again: only an active row of this account is taken.

Posted names, for a field `payer`: `payer` (the chosen row), `payer_search` (the text box),
`payer_shown` (the text the choice was made for: once the text is changed, the choice no
longer counts and the new text is looked up).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from practicegate.core import text
from practicegate.core.params import param
from practicegate.masterfiles.lookups import Lookup, lookup_exact, lookup_get, lookup_matches

MAX_TYPED = 100


@dataclass(frozen=True)
class Typed:
    """What the box posted: the chosen row's value, the text typed, the text the choice was for."""

    key: str = ""
    search: str = ""
    shown: str | None = None  # None: not posted (a form sent by hand with the value alone)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Choose:
    """The "choose one" step: the words looked up and what they matched."""

    term: str
    options: tuple[Option, ...]
    more: bool


def options_of(lookup: Lookup, rows) -> tuple[Option, ...]:
    return tuple(Option(lookup.value(row), lookup.label(row)) for row in rows)


class LookupWidget(forms.Widget):
    template_name = "clients/_lookup.html"

    class Media:
        css = {"all": ["clients/lookup.css"]}
        js = [forms.Script("clients/lookup.js", defer=True)]

    def __init__(self, lookup: Lookup, attrs=None):
        super().__init__(attrs)
        self.lookup = lookup
        self.url = ""  # the lookup endpoint in the form's account (set by the form)
        self.chosen = None  # the row the field resolved, once cleaned
        self.choose: Choose | None = None

    def value_from_datadict(self, data, files, name):
        shown = param(data, f"{name}_shown", None) if f"{name}_shown" in data else None
        return Typed(param(data, name), param(data, f"{name}_search"), shown)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_search" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        lookup = self.lookup
        if self.chosen is not None:
            key, shown = lookup.value(self.chosen), lookup.label(self.chosen)
            typed = shown
        elif isinstance(value, Typed):
            key, shown, typed = "", "", value.search
        else:
            key, shown, typed = "", "", ""
        context["widget"].update(
            url=self.url, key=key, shown=shown, typed=typed, choose=self.choose, noun=lookup.noun,
            plural=lookup.plural, checked=value.key if isinstance(value, Typed) else "")
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's templates, not the form renderer's (which reads only the apps' folders).
        return render_to_string(template_name, context)


class LookupField(forms.Field):
    """A required choice of one of the account's active rows of `lookup`, typed or looked up."""

    def __init__(self, lookup: Lookup, *, label: str, help_text: str = "", **kwargs):
        super().__init__(label=label, help_text=help_text or f"The code or words, for example {lookup.example}.",
                         widget=LookupWidget(lookup), **kwargs)
        self.lookup = lookup
        self.account = None

    def bind(self, account, url_name: str = "clients:lookup") -> None:
        """Tie the field to the form's account: its rows, and the endpoint the box asks."""
        self.account = account
        self.widget.url = reverse(f"{url_name}-{self.lookup.key}", kwargs={"account": account.slug})

    def clean(self, value):
        value = value if isinstance(value, Typed) else Typed()
        lookup, widget = self.lookup, self.widget
        widget.chosen = widget.choose = None
        search = text.clean_text(value.search)  # raises on invisible characters
        if value.key and (value.shown is None or text.nfc(value.shown) == search):
            row = lookup_get(self.account, lookup, value.key)
            if row is None:
                raise ValidationError(f"This account has no active {lookup.noun} like that: choose one of its "
                                      f"active {lookup.plural}.")
            widget.chosen = row
            return row
        if not search:
            raise ValidationError(f"Enter a {lookup.noun}, or words to find one.")
        if len(search) > MAX_TYPED:
            raise ValidationError(f"Use at most {MAX_TYPED} characters.")
        row = lookup_exact(self.account, lookup, search)
        if row is not None:
            widget.chosen = row
            return row
        rows, more = lookup_matches(self.account, lookup, search)
        if not rows:
            raise ValidationError(f"No active {lookup.noun} of this account matches “{search}”. "
                                  "Try fewer or other words, or the start of the code.")
        widget.choose = Choose(search, options_of(lookup, rows), more)
        if len(rows) == 1:
            raise ValidationError(f"One {lookup.noun} matches “{search}”: choose it and send the form again, "
                                  "or change the words.")
        raise ValidationError(f"{len(rows)}{' or more' if more else ''} {lookup.plural} match “{search}”: "
                              "choose one and send the form again, or change the words.")
