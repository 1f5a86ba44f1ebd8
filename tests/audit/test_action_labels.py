"""Every action in the registry has a label that a person reads as the rest of a sentence
whose subject is the username ("front-desk: Added an insurance payer")."""

from __future__ import annotations

import re

import pytest

from practicegate.audit.actions import ACTIONS, a_or_an, group_of, grouped_actions

# Past tenses that do not end in -ed.
IRREGULAR_PAST = {"Made", "Found", "Left", "Sent", "Was", "Reset", "Got", "Took", "Ran", "Set", "Shut", "Put",
                  "Gave", "Read", "Saw", "Wrote", "Chose", "Held", "Kept", "Lost", "Paid", "Built", "Split"}
# Words beginning with a vowel letter but not a vowel sound (they take "a").
CONSONANT_SOUND = ("us", "un", "one", "eu")


def test_every_action_has_its_own_label():
    assert len(ACTIONS) > 80
    for code, label in ACTIONS.items():
        assert label and label != code and "." not in label.rstrip("."), code


@pytest.mark.parametrize("code", sorted(ACTIONS))
def test_the_label_reads_as_a_sentence(code):
    label = ACTIONS[code]
    first = label.split()[0]
    assert label[0].isupper(), f"{code}: {label!r} starts with a small letter"
    assert first.endswith("ed") or first in IRREGULAR_PAST, f"{code}: {label!r} does not start with a past tense"
    assert not label.endswith((".", " ")), f"{code}: {label!r} ends with a stop or a space"
    assert "  " not in label and "_" not in label, f"{code}: {label!r}"
    for article, word in re.findall(r"\b([Aa]n?) (\w+)", label):
        vowel_sound = word[0].lower() in "aeiou" and not word.lower().startswith(CONSONANT_SOUND)
        assert (article.lower() == "an") == vowel_sound, f"{code}: {label!r}: “{article} {word}”"


def test_the_article_helper():
    assert a_or_an("insurance payer") == "an insurance payer"
    assert a_or_an("diagnosis code") == "a diagnosis code"
    assert a_or_an("username") == "a username"


def test_every_action_is_in_a_named_group():
    assert all(group_of(code) != "Other" for code in ACTIONS), [c for c in ACTIONS if group_of(c) == "Other"]
    groups = dict(grouped_actions())
    assert ("payer.add", "Added an insurance payer") in groups["Insurance Payers"]
    assert sum(len(items) for items in groups.values()) == len(ACTIONS)
