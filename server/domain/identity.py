"""Identity numbers, mobiles and email addresses: validation and normalisation.

Every validator raises `ValueError` whose message is an `ErrorCode` value (`"REQUIRED"`,
`"INVALID"`, `"MISMATCH"`), so a caller can hand `str(exc)` straight to `Problems.add`.
"""

from __future__ import annotations

import re
from typing import Literal

import phonenumbers

IdentityType = Literal["NATIONAL_ID", "IQAMA", "PASSPORT"]
IDENTITY_TYPES: tuple[IdentityType, ...] = ("NATIONAL_ID", "IQAMA", "PASSPORT")

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
EASTERN_ARABIC_INDIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_TO_ASCII_DIGITS = str.maketrans(
    ARABIC_INDIC_DIGITS + EASTERN_ARABIC_INDIC_DIGITS, "0123456789" * 2
)

_SAUDI_ID = re.compile(r"[12][0-9]{9}")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
_SAUDI_ID_PREFIX: dict[str, IdentityType] = {"1": "NATIONAL_ID", "2": "IQAMA"}
MASK = "•"

# Only what people type around a phone number; anything else (letters, "ext") is refused
# before phonenumbers sees it, because it would happily read "0500-FLOWERS".
_PHONE_CHARS = re.compile(r"\+?[0-9 ()\-.]+")
SAUDI_COUNTRY_CODE = 966

MAX_EMAIL_LENGTH = 254
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def normalize_digits(text: str) -> str:
    """Arabic-Indic (٠…٩) and Eastern Arabic-Indic (۰…۹) digits become ASCII; the rest stays."""
    return text.translate(_TO_ASCII_DIGITS)


def _luhn_sum(digits: str) -> int:
    total = 0
    for position, char in enumerate(digits, start=1):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def saudi_id_check_digit(first_nine: str) -> str:
    """The tenth digit that makes `first_nine` a valid Saudi identity number."""
    if not re.fullmatch(r"[0-9]{9}", first_nine):
        raise ValueError("INVALID")
    return str(-_luhn_sum(first_nine + "0") % 10)


def is_valid_saudi_id(number: str) -> bool:
    number = normalize_digits(number)
    return bool(_SAUDI_ID.fullmatch(number)) and _luhn_sum(number) % 10 == 0


def identity_type_of(number: str) -> IdentityType | None:
    """NATIONAL_ID or IQAMA for a valid Saudi identity number, else None."""
    number = normalize_digits(number)
    return _SAUDI_ID_PREFIX[number[0]] if is_valid_saudi_id(number) else None


def validate_identity(identity_type: str, number: str) -> str:
    """The number as stored (ASCII digits; passports upper-case), or ValueError.

    `MISMATCH` means a valid Saudi number of the other type (an Iqama entered as a
    national ID); an unknown `identity_type` is `INVALID`.
    """
    compact = re.sub(r"\s+", "", normalize_digits(number or ""))
    if not compact:
        raise ValueError("REQUIRED")
    if identity_type == "PASSPORT":
        compact = compact.upper()
        if not _PASSPORT.fullmatch(compact):
            raise ValueError("INVALID")
        return compact
    if identity_type not in _SAUDI_ID_PREFIX.values():
        raise ValueError("INVALID")
    compact = compact.replace("-", "")
    actual = identity_type_of(compact)
    if actual is None:
        raise ValueError("INVALID")
    if actual != identity_type:
        raise ValueError("MISMATCH")
    return compact


def mask_identity(number: str) -> str:
    """Shows only the last 4 characters; a value of 4 or fewer is masked whole."""
    number = normalize_digits(number.strip())
    if len(number) <= 4:
        return MASK * len(number)
    return MASK * (len(number) - 4) + number[-4:]


def normalize_saudi_mobile(text: str) -> str:
    """E.164 `+9665XXXXXXXX` from any usual spelling of a Saudi mobile number."""
    text = normalize_digits(text or "").strip()
    if not text:
        raise ValueError("REQUIRED")
    if not _PHONE_CHARS.fullmatch(text):
        raise ValueError("INVALID")
    try:
        parsed = phonenumbers.parse(text, "SA")
    except phonenumbers.NumberParseException:
        raise ValueError("INVALID") from None
    national = str(parsed.national_number)
    if (
        parsed.country_code != SAUDI_COUNTRY_CODE
        or len(national) != 9
        or not national.startswith("5")
        or phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE
        or not phonenumbers.is_valid_number(parsed)
    ):
        raise ValueError("INVALID")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def local_mobile(e164: str) -> str:
    """`05XXXXXXXX`, the way a Saudi mobile is written at home."""
    return "0" + normalize_saudi_mobile(e164)[len("+966"):]


def normalize_email(text: str) -> str:
    """Trimmed, domain lower-cased (internationalised domains as punycode).

    Pragmatic, not RFC 5322: a dot-atom local part and a dotted domain; the local part
    keeps its case because, strictly, only the receiving server may fold it.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("REQUIRED")
    local, at, domain = text.rpartition("@")
    if not at or len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        raise ValueError("INVALID")
    email = f"{local}@{_ascii_domain(domain)}"
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValueError("INVALID")
    return email


def _ascii_domain(domain: str) -> str:
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError("INVALID") from None
    labels = ascii_domain.split(".")
    if (
        len(labels) < 2
        or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        or not _TOP_LEVEL_DOMAIN.fullmatch(labels[-1])
    ):
        raise ValueError("INVALID")
    return ascii_domain
