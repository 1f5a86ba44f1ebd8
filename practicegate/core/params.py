"""Raw request values read outside a form: one way in, so none reaches a query unchecked.

A form's CharField refuses NUL (Django's ProhibitNullCharactersValidator); a value read
straight from request.GET or request.POST is not checked by anyone. PostgreSQL refuses
NUL in text (a 500 where SQLite answered), so a value holding one is treated as not given.
"""

from __future__ import annotations

REFUSED = "\x00"  # what a text column refuses; surrogates cannot come out of a decoded request


def param(query, name: str, default: str = "") -> str:
    """The value of `name` in a QueryDict (request.GET or request.POST), or `default`.

    Missing, or holding a character no text column takes: `default`, as if not given.
    """
    value = query.get(name)
    if not isinstance(value, str) or REFUSED in value:
        return default
    return value


def all_values(query, *, leave_out=()) -> dict[str, list[str]]:
    """Every name of a QueryDict with its values, for keeping a whole form to apply later (the
    view's own form checks them then); values holding a refused character are left out."""
    return {name: [v for v in values if REFUSED not in v]
            for name, values in query.lists() if name not in leave_out and REFUSED not in name}
