"""Text as clients' names arrive: normalized, checked, and folded for search."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    """The NFC form of `value`, outer spaces removed and inner runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def has_control(value: str) -> bool:
    """True when `value` holds a control, format, private or unassigned character.

    Zero-width joiner and non-joiner are allowed: Persian and Indic names need them.
    """
    return any(unicodedata.category(ch) in _REFUSED and ch not in _JOINERS for ch in value)


_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn"}
_JOINERS = {"\u200c", "\u200d"}


def fold(value: str) -> str:
    """Lower case without accents: the form names are searched in (Zoë -> zoe, Straße -> strasse)."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", bare.casefold()).split())
