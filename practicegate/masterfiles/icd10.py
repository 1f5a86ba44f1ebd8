"""The official ICD-10-CM code set, as the simple-icd-10-cm package ships it.

Only billable codes (leaves of the tabular list) go into an account; chapters,
blocks and header categories cannot be put on a claim.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Preset:
    label: str
    first_letters: str | None  # None: every chapter


PRESETS: dict[str, Preset] = {
    "mental": Preset("Mental, behavioral and neurodevelopmental disorders (F01-F99)", "F"),
    "mental-and-z": Preset("F codes plus Z codes (factors influencing health status)", "FZ"),
    "all": Preset("All billable codes", None),
}


@lru_cache(maxsize=1)
def billable_codes() -> tuple[tuple[str, str], ...]:
    """(code without dot, description) of every billable code, in tabular order.

    The package parses its XML at import (about two seconds), so it is imported here
    lazily and the result kept for the life of the process.
    """
    with warnings.catch_warnings():  # the package reads its data with a deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # not at the top: its import parses the code set (2 s)

    seen: set[str] = set()
    rows = []
    for code in cm.get_all_codes(with_dots=False):
        # Blocks (A00-A09) and chapters share the list; only categories and
        # subcategories can be billable, and only the leaves are.
        if code in seen or not cm.is_category_or_subcategory(code) or not cm.is_leaf(code):
            continue
        seen.add(code)
        rows.append((code, cm.get_description(code)[:255]))
    return tuple(rows)


def preset_codes(preset: str) -> list[tuple[str, str]]:
    letters = PRESETS[preset].first_letters
    rows = billable_codes()
    if letters is None:
        return list(rows)
    return [row for row in rows if row[0][0] in letters]
