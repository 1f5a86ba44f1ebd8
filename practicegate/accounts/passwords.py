"""Password validators for a 15-character minimum: length alone lets through repeats, runs and common pieces.

`RunsAndRepeatsValidator` refuses one character repeated, a keyboard or number run (qwerty rows,
1234567890, the alphabet, either direction, wrapping), and a shorter piece repeated. `GuessableValidator`
asks zxcvbn, which ships 30,000 breached passwords (plus English words, names and keyboard layouts)
and finds them inside longer passwords: `password1234567` is a common password plus a run. Everything
is offline; nothing is fetched at run time.
"""

from __future__ import annotations

import itertools
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# A cyclic walk along each: "1234567890" continues with "1", a qwerty walk goes on to the next row.
RUNS = ("1234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")
SEPARATORS = re.compile(r"[\s\-_.,/]+")
# 10^10 guesses: zxcvbn's top score, what it calls protection against an offline slow-hash attack.
MIN_GUESSES_LOG10 = 10
# zxcvbn's matching grows with the square of the length; past this a password is judged by its start.
GUESS_CHECK_CHARS = 100


def _is_run(text: str) -> bool:
    for walk in RUNS:
        for order in (walk, walk[::-1]):
            place = {ch: i for i, ch in enumerate(order)}
            if all(ch in place for ch in text) and all(
                (place[b] - place[a]) % len(order) == 1 for a, b in itertools.pairwise(text)
            ):
                return True
    return False


def _repeated_piece(text: str) -> str | None:
    """The shortest piece whose repetition (the last one may be cut short) makes up `text`."""
    for size in range(1, len(text) // 2 + 1):
        piece = text[:size]
        if (piece * (len(text) // size + 1))[: len(text)] == text:
            return piece
    return None


class RunsAndRepeatsValidator:
    def validate(self, password: str, user=None) -> None:
        folded = password.casefold()
        if len(set(folded)) == 1:
            raise ValidationError("This password is one character repeated. Use a phrase of a few words.",
                                  code="password_one_character")
        # Separators do not make a run harder to guess: "1234-5678-9012" is still 1 to 2.
        bare = SEPARATORS.sub("", folded)
        if len(bare) > 2 and _is_run(bare):
            raise ValidationError("This password is a keyboard or number run (like qwerty or 12345). "
                                  "Use a phrase of a few words.", code="password_run")
        piece = _repeated_piece(folded)
        if piece is not None and len(piece) < settings.PASSWORD_MIN_LENGTH:
            raise ValidationError(
                "This password repeats a shorter piece (%(piece)s). Use a longer phrase that is not repeated.",
                code="password_repeated", params={"piece": f"“{piece.strip() or piece}”"})

    def get_help_text(self) -> str:
        return "Not one character repeated, a keyboard or number run, or a short piece said twice."


class GuessableValidator:
    def validate(self, password: str, user=None) -> None:
        hints = [value for value in (getattr(user, "username", ""), getattr(user, "email", "")) if value]
        result = zxcvbn(password[:GUESS_CHECK_CHARS], user_inputs=hints, max_length=GUESS_CHECK_CHARS)
        if result["guesses_log10"] >= MIN_GUESSES_LOG10:
            return
        warning = result["feedback"].get("warning") or ""
        raise ValidationError(
            "This password is too easy to guess: it is made of common passwords, words, names or "
            "keyboard patterns that attackers try first.%(warning)s Add a few uncommon words.",
            code="password_guessable", params={"warning": f" ({warning.rstrip('.')}.)" if warning else ""})

    def get_help_text(self) -> str:
        return "Not made of common passwords, words or keyboard patterns."
