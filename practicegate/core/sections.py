"""The section registry and the ordered access levels: the vocabulary of the access rule."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Level(models.IntegerChoices):
    NONE = 0, "No Access"
    VIEW = 1, "View Only"
    FULL = 2, "Full Access"


@dataclass(frozen=True)
class Section:
    key: str
    label: str

    @property
    def menu_url(self) -> str | None:
        """The URL name of the section's first page (taking only `account`), as its app registered it."""
        return _MENU_URLS.get(self.key)


SECTIONS: tuple[Section, ...] = (
    Section("clients", "Clients"),
    Section("diagnosis_codes", "Diagnosis Codes"),
    Section("billing_codes", "Billing Codes"),
    Section("payers", "Insurance Payers"),
    Section("billing", "Billing"),
    Section("reports", "Reports"),
    Section("account_access", "Account Access"),
    Section("settings", "Settings"),
)
SECTION_KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}

# Filled by the apps that serve the sections, in their AppConfig.ready(): core names no app's URLs.
_MENU_URLS: dict[str, str] = {}


def register_menu_url(section: str, url_name: str) -> None:
    """Link a section's menu entry to `url_name`, a page of the registering app taking only `account`."""
    if section not in BY_KEY:
        raise ValueError(f"no section {section!r}: add it to SECTIONS first")
    if _MENU_URLS.setdefault(section, url_name) != url_name:
        raise ValueError(f"section {section!r} already links to {_MENU_URLS[section]!r}")


# Pseudo-section for account pages every member may open (the account home, leaving).
MEMBERS = "_members"


def full_levels() -> dict[str, int]:
    return {key: int(Level.FULL) for key in SECTION_KEYS}


def clean_levels(raw: dict) -> dict[str, int]:
    """Return a complete levels map for every registered section; unknown keys are dropped."""
    levels = {}
    for key in SECTION_KEYS:
        value = raw.get(key, Level.NONE) if isinstance(raw, dict) else Level.NONE
        try:
            levels[key] = int(Level(int(value)))
        except (TypeError, ValueError):
            levels[key] = int(Level.NONE)
    return levels


_LEVEL_OF_VALUE = {int(level): level for level in Level}  # Level(n) is slow; this is on every page


def level_of(levels: dict, section: str) -> Level:
    try:
        return _LEVEL_OF_VALUE.get(int(levels.get(section, Level.NONE)), Level.NONE)
    except (TypeError, ValueError):
        return Level.NONE
