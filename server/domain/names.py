"""Parts of a person's name, in Arabic and in Latin letters.

A part is 1–50 characters (as stored, diacritics included) of letters joined by single
separators; whitespace is collapsed. Errors are `ValueError("REQUIRED")` or
`ValueError("INVALID")`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_NAME_PART_LENGTH = 50
TATWEEL = "\u0640"
# Invisible direction and joiner marks arrive with copy-and-paste from other documents;
# they change nothing a reader sees, so they are dropped rather than refused.
_INVISIBLE = dict.fromkeys(
    map(ord, TATWEEL + "\u061c\u200b\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069\ufeff")
)
_APOSTROPHES = str.maketrans("’‘ʼ`", "''''")

# Each character is reduced to its shape: "a" a letter, "m" a mark over the letter before
# it, or itself; the rules are then plain regular expressions over the shape.
_ARABIC_SHAPE = re.compile(r"(?:am*)+(?:[ '-](?:am*)+)*")
_LATIN_SHAPE = re.compile(r"(?:am*)+(?:(?:[ '-]|\. ?)(?:am*)+)*\.?")


def _is_arabic_letter(char: str) -> bool:
    return unicodedata.category(char) == "Lo" and unicodedata.name(char, "").startswith(
        "ARABIC LETTER"
    )


def _is_arabic_mark(char: str) -> bool:
    # Harakat, shadda, sukun and the superscript alef.
    return "\u064b" <= char <= "\u065f" or char == "\u0670"


def _is_latin_letter(char: str) -> bool:
    return unicodedata.category(char) in {"Lu", "Ll"} and unicodedata.name(
        char, ""
    ).startswith("LATIN")


def _is_latin_mark(char: str) -> bool:
    return "\u0300" <= char <= "\u036f"


def _shape(text: str, is_letter, is_mark) -> str:
    return "".join("a" if is_letter(c) else "m" if is_mark(c) else c for c in text)


def _clean(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_INVISIBLE)
    return " ".join(text.split())


def _checked(text: str, shape: str, pattern: re.Pattern[str]) -> str:
    if not text:
        raise ValueError("REQUIRED")
    if len(text) > MAX_NAME_PART_LENGTH or not pattern.fullmatch(shape):
        raise ValueError("INVALID")
    return text


def validate_arabic_name_part(text: str | None) -> str:
    """Arabic letters with optional diacritics; words joined by a space, hyphen or apostrophe."""
    # NFKC also folds Arabic presentation forms (ﻋ, ﷲ) into ordinary letters.
    cleaned = _clean(text)
    return _checked(cleaned, _shape(cleaned, _is_arabic_letter, _is_arabic_mark), _ARABIC_SHAPE)


def validate_latin_name_part(text: str | None) -> str:
    """Latin letters (accented too); words joined by a space, hyphen, apostrophe or period."""
    cleaned = unicodedata.normalize("NFC", _clean(text).translate(_APOSTROPHES))
    return _checked(cleaned, _shape(cleaned, _is_latin_letter, _is_latin_mark), _LATIN_SHAPE)


def full_name(parts: Iterable[str | None]) -> str:
    """The given parts in order, skipping empty ones, separated by single spaces."""
    return " ".join(" ".join(part.split()) for part in parts if part and part.strip())


def greeting_name(lang: str, account_name: str, name_ar: str = "", name_en: str = "") -> str:
    """The first name to greet someone with in `lang`: the record's name in that script,
    else the account's if it is written in that script, else none (an Arabic email never
    greets "مرحبًا Fahad")."""
    recorded = name_ar if lang == "ar" else name_en
    if recorded.strip():
        return recorded.strip()
    is_letter = _is_arabic_letter if lang == "ar" else _is_latin_letter
    letters = [c for c in account_name if c.isalpha()]
    return account_name.strip() if letters and all(is_letter(c) for c in letters) else ""
