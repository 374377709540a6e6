"""Password policy of docs/security.md: 12 to 128 characters, no composition rules, not a
common password (zxcvbn's list of 30,000), not the user's own name, email or identity
number, and not easy to guess by zxcvbn's estimate (a score of at least 3 of 4)."""

from __future__ import annotations

import re
from functools import cache

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable", about 10**8 guesses and more
ESTIMATED_LENGTH = 72  # zxcvbn's own limit; its cost grows with the length

# zxcvbn names the weakest part of a password by its pattern; its feedback is English, so
# we say why in our own (translated) words, keyed by that pattern.
PATTERN_PROBLEMS = {"spatial": "KEYBOARD", "repeat": "REPEAT", "sequence": "SEQUENCE",
                    "regex": "DATE", "date": "DATE"}


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def password_problem(password: str, personal: list[str] | tuple[str, ...] = ()) -> str | None:
    """None when acceptable, else "REQUIRED", "TOO_SHORT", "TOO_LONG", "COMMON", "PERSONAL",
    or why zxcvbn finds it easy to guess: "KEYBOARD", "REPEAT", "SEQUENCE", "DATE", "WORDS",
    "GUESSABLE"."""
    if not password:
        return "REQUIRED"
    if len(password) < MIN_LENGTH:
        return "TOO_SHORT"
    if len(password) > MAX_LENGTH:
        return "TOO_LONG"
    folded = password.casefold()
    squashed = _squash(password)
    common = common_passwords()
    # A common password padded with digits or symbols ("password12345!") is no better.
    stripped = re.sub(r"[\d\W_]+$", "", folded)
    if folded in common or squashed in common or (len(stripped) >= 6 and stripped in common):
        return "COMMON"
    if len(set(squashed)) <= 2:
        return "COMMON"  # "aaaaaaaaaaaa", "abababababab"
    for value in personal:
        token = _squash(value.split("@")[0]) if value else ""
        if len(token) >= 4 and token in squashed:
            return "PERSONAL"
    return _estimate_problem(password[:ESTIMATED_LENGTH], [v for v in personal if v])


def _estimate_problem(password: str, personal: list[str]) -> str | None:
    from zxcvbn import zxcvbn

    result = zxcvbn(password, user_inputs=personal)
    if result["score"] >= MIN_SCORE:
        return None
    weakest = max(result["sequence"], key=lambda match: len(match["token"]))
    if weakest["pattern"] == "dictionary":
        if weakest.get("dictionary_name") == "user_inputs":
            return "PERSONAL"
        return "COMMON" if weakest.get("dictionary_name") == "passwords" else "WORDS"
    return PATTERN_PROBLEMS.get(weakest["pattern"], "GUESSABLE")


def strength(password: str, personal: list[str] | tuple[str, ...] = ()) -> int:
    """zxcvbn's score 0–4 of what the user is typing, for the meter on password forms."""
    from zxcvbn import zxcvbn

    if not password:
        return 0
    return zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[v for v in personal if v])["score"]
