"""The life cycle every application shares, renewal timing, and registration numbers."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from server.domain.dates import add_years
from server.domain.identity import normalize_digits
from server.domain.text import N_


class ApplicationKind(StrEnum):
    RENEWAL = "RENEWAL"
    CLASSIFICATION = "CLASSIFICATION"
    RECLASSIFICATION = "RECLASSIFICATION"
    REGISTRATION = "REGISTRATION"
    TRAINING_CERTIFICATE = "TRAINING_CERTIFICATE"
    GOOD_STANDING = "GOOD_STANDING"
    QUALIFICATION_EVALUATION = "QUALIFICATION_EVALUATION"
    CPD_RECOGNITION = "CPD_RECOGNITION"
    PERSONAL_DATA_CHANGE = "PERSONAL_DATA_CHANGE"


class Status(StrEnum):
    DRAFT = "DRAFT"
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    SUBMITTED = "SUBMITTED"
    IN_REVIEW = "IN_REVIEW"
    RETURNED = "RETURNED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class Actor(StrEnum):
    APPLICANT = "APPLICANT"
    REVIEWER = "REVIEWER"
    SYSTEM = "SYSTEM"


_A, _R, _S = Actor.APPLICANT, Actor.REVIEWER, Actor.SYSTEM

# (from, to): who may move an application along that edge.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Actor]] = {
    (Status.DRAFT, Status.AWAITING_PAYMENT): frozenset({_A}),  # submitted; a fee applies
    (Status.DRAFT, Status.SUBMITTED): frozenset({_A}),  # submitted; no fee
    (Status.DRAFT, Status.CANCELLED): frozenset({_A}),
    (Status.AWAITING_PAYMENT, Status.SUBMITTED): frozenset({_S}),  # the gateway confirmed it
    # The applicant gives up, or the system does when an unpaid SADAD bill expires.
    (Status.AWAITING_PAYMENT, Status.CANCELLED): frozenset({_A, _S}),
    (Status.SUBMITTED, Status.IN_REVIEW): frozenset({_R}),
    (Status.SUBMITTED, Status.APPROVED): frozenset({_S}),  # a renewal that meets every rule
    (Status.SUBMITTED, Status.CANCELLED): frozenset({_A}),  # nobody has looked at it yet
    (Status.IN_REVIEW, Status.SUBMITTED): frozenset({_R}),  # released back to the queue
    (Status.IN_REVIEW, Status.APPROVED): frozenset({_R}),
    (Status.IN_REVIEW, Status.REJECTED): frozenset({_R}),
    (Status.IN_REVIEW, Status.RETURNED): frozenset({_R}),
    (Status.RETURNED, Status.SUBMITTED): frozenset({_A}),  # corrected; already paid
    (Status.RETURNED, Status.CANCELLED): frozenset({_A}),
}

FINAL_STATUSES = frozenset({Status.APPROVED, Status.REJECTED, Status.CANCELLED})
# The applicant has to be told why.
REASON_REQUIRED = frozenset({Status.RETURNED, Status.REJECTED})


class InvalidTransition(Exception):
    """Maps to ErrorCode.INVALID_STATE."""

    code = "INVALID_STATE"

    def __init__(self, from_status: str, to_status: str) -> None:
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(f"{from_status} → {to_status}")


def can_transition(from_status: str, to_status: str, actor: str | None = None) -> bool:
    """Whether the edge exists and, when `actor` is given, whether that actor may take it."""
    actors = TRANSITIONS.get((from_status, to_status))
    return actors is not None and (actor is None or actor in actors)


def check_transition(from_status: str, to_status: str, actor: str | None = None) -> None:
    if not can_transition(from_status, to_status, actor):
        raise InvalidTransition(from_status, to_status)


def next_statuses(from_status: str) -> list[Status]:
    return [to for (start, to) in TRANSITIONS if start == from_status]


RENEWAL_WINDOW_DAYS = 90
RENEWAL_YEARS = (1, 3, 5)


def renewal_opens_on(valid_until: dt.date, days_before: int = RENEWAL_WINDOW_DAYS) -> dt.date:
    return valid_until - dt.timedelta(days=days_before)


def renewal_window_open(valid_until: dt.date, today: dt.date,
                        days_before: int = RENEWAL_WINDOW_DAYS) -> bool:
    """Open from `days_before` days ahead of expiry, and stays open once it has expired."""
    return today >= renewal_opens_on(valid_until, days_before)


def renewal_period(valid_until: dt.date, approved_on: dt.date,
                   years: int) -> tuple[dt.date, dt.date]:
    """(valid_from, valid_until) of the renewed registration, both days included.

    A registration still valid on the day of approval continues without a gap from the
    day after its old expiry; a lapsed one starts again on the day of approval.
    """
    if years not in RENEWAL_YEARS:
        raise ValueError("INVALID")
    if approved_on <= valid_until:
        start = valid_until + dt.timedelta(days=1)
    else:
        start = approved_on
    return start, registration_valid_until(start, years)


def registration_valid_until(valid_from: dt.date, years: int) -> dt.date:
    """The last day of a registration of `years` years starting on `valid_from`."""
    return add_years(valid_from, years) - dt.timedelta(days=1)


# "YY-R-NNNNNNN": the two last digits of the year it was granted, R for registration, and
# a sequence number of that year; unique as the pair (year, sequence).
_REGISTRATION_NUMBER = re.compile(r"([0-9]{2})-R-([0-9]{7})")
_IMPORTED_NUMBER = re.compile(r"[A-Z0-9-]{3,20}")
MAX_SEQUENCE = 9_999_999


def format_registration_number(year: int, seq: int) -> str:
    """`format_registration_number(2025, 4321)` → "25-R-0004321"."""
    if not 1 <= seq <= MAX_SEQUENCE or year < 0:
        raise ValueError("INVALID")
    return f"{year % 100:02d}-R-{seq:07d}"


def parse_registration_number(text: str) -> tuple[int, int]:
    """(year, sequence) of a number Sijil issued; the year is read as 20YY."""
    match = _REGISTRATION_NUMBER.fullmatch(normalize_registration_number(text))
    if not match or int(match[2]) == 0:
        raise ValueError("INVALID")
    return 2000 + int(match[1]), int(match[2])


def normalize_registration_number(text: str) -> str:
    """Upper-cased, ASCII digits, without surrounding spaces; not validated."""
    return normalize_digits((text or "").strip()).upper()


def is_registration_number_like(text: str) -> bool:
    """A number Sijil issued or one an import may carry: 3–20 of A–Z, 0–9 and "-", with at
    least one letter or digit. Expects a normalised value."""
    return bool(_IMPORTED_NUMBER.fullmatch(text or "")) and text.strip("-") != ""


# "A-YYYY-NNNNNN": the year the application was opened and a number that never repeats
# (it does not restart each year, so the year is only a reading aid); more than six digits
# once a million applications exist.
def format_application_reference(year: int, number: int) -> str:
    """`format_application_reference(2026, 123)` → "A-2026-000123"."""
    if number < 1 or not 1000 <= year <= 9999:
        raise ValueError("INVALID")
    return f"A-{year}-{number:06d}"


def parse_application_reference(text: str) -> str | None:
    """The reference in its written form ("a-2026-123", "A‑٢٠٢٦‑000123" and spaces are
    accepted), or None when the text is not one."""
    cleaned = normalize_digits((text or "").strip()).upper().replace(" ", "")
    cleaned = re.sub(r"[\u2010-\u2015\u2212]", "-", cleaned)
    match = re.fullmatch(r"A-?([0-9]{4})-?([0-9]{1,12})", cleaned)
    if not match or int(match[2]) == 0:
        return None
    return format_application_reference(int(match[1]), int(match[2]))


# The kinds of application as the staff consoles, emails and escalations name them.
KIND_NAMES = {
    "RENEWAL": N_("Renewal"),
    "CPD_RECOGNITION": N_("CPD recognition"),
    "PERSONAL_DATA_CHANGE": N_("Personal data change"),
    "GOOD_STANDING": N_("Good-standing certificate"),
    "TRAINING_CERTIFICATE": N_("Training certificate"),
    "QUALIFICATION_EVALUATION": N_("Qualification evaluation"),
    "CLASSIFICATION": N_("Professional classification"),
    "RECLASSIFICATION": N_("Reclassification"),
    "REGISTRATION": N_("First registration"),
}
