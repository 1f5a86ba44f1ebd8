"""What makes two usernames the same, or too alike: the case-folded key and the TR 39 skeleton.

`username_key` folds case the Unicode way on every database (SQLite's LOWER() knows only ASCII), so
`Émile` and `émile` are one username. `username_skeleton` maps look-alike characters to one prototype
(Unicode TR 39, confusables.txt 13.0.0 shipped in data/), so `ѕunrise` with a Cyrillic ѕ is seen as
`sunrise`. `mixed_scripts` names the alphabets of a username that mixes them.
"""

from __future__ import annotations

import functools
import gzip
import unicodedata
from pathlib import Path

from confusable_homoglyphs.categories import alias

CONFUSABLES = Path(__file__).parent / "data" / "confusables-13.0.0.txt.gz"
KEY_MAX_LENGTH = 600  # 150 characters, each of which case folding may turn into up to three
# Scripts a character may share with any other (digits, punctuation, combining marks).
SHARED_SCRIPTS = {"COMMON", "INHERITED"}
# Writing systems that mix scripts by nature (TR 39's "highly restrictive" level allows them).
MIXES_ALLOWED = ({"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "BOPOMOFO"}, {"HAN", "HANGUL"})


def username_key(username: str) -> str:
    """The username as compared: NFKC-normalised and case-folded (`ẞ` and `ss` fold alike)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


@functools.cache
def _prototypes() -> dict[str, str]:
    table: dict[str, str] = {}
    with gzip.open(CONFUSABLES, "rt", encoding="utf-8-sig") as lines:
        for line in lines:
            source, sep, rest = line.partition(";")
            if not sep or line.startswith("#"):
                continue
            target = rest.split(";", 1)[0]
            table[chr(int(source.strip(), 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return table


def username_skeleton(username: str) -> str:
    """TR 39's skeleton of the case-folded username, folded once more so `0`, `O` and `o` meet."""
    table = _prototypes()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFD", username_key(username)))
    return unicodedata.normalize("NFD", mapped.casefold())


def mixed_scripts(username: str) -> list[str]:
    """The scripts a username mixes, if the mix is not one writing system; else an empty list."""
    scripts = {alias(ch) for ch in unicodedata.normalize("NFKC", username)} - SHARED_SCRIPTS
    if len(scripts) <= 1 or any(scripts <= allowed for allowed in MIXES_ALLOWED):
        return []
    return sorted(script.title() for script in scripts)
