"""Input checks every app's forms share."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError


def reject_control_characters(value: str) -> None:
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in value):
        raise ValidationError("Please remove invisible or control characters.")
