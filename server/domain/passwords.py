"""Password policy of docs/security.md: 12 to 128 characters, no composition rules, not a
common password (zxcvbn's list of 30,000) and not the user's own name, email or identity
number."""

from __future__ import annotations

import re
from functools import cache

MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def password_problem(password: str, personal: list[str] | tuple[str, ...] = ()) -> str | None:
    """None when acceptable, else "REQUIRED", "TOO_SHORT", "TOO_LONG", "COMMON" or "PERSONAL"."""
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
    return None
