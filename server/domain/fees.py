"""The fee schedule (SAR) and what each application costs.

A schedule is a flat mapping of item → amount, so an admin's edits can be stored as rows
and merged over the defaults with `make_schedule`. Ranks fall into groups:

| rank | classification | registration / renewal, per year |
|---|---|---|
| GENERAL_PRACTITIONER, RESIDENT, PHARMACIST, TECHNICIAN | BASIC 1,100 | OTHER 160 |
| REGISTRAR, SPECIALIST | SPECIALIST 1,500 | OTHER 160 |
| SENIOR_REGISTRAR, SENIOR_SPECIALIST, SENIOR_PHARMACIST | SPECIALIST 1,500 | SENIOR 200 |
| CONSULTANT, CONSULTANT_PHARMACIST | CONSULTANT 1,800 | CONSULTANT 250 |

Reclassification costs the classification fee of the rank applied for; qualification
evaluation and personal data changes are free.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")

FeeSchedule = Mapping[str, Decimal]

DEFAULT_SCHEDULE: FeeSchedule = MappingProxyType({
    "CLASSIFICATION_BASIC": Decimal("1100.00"),
    "CLASSIFICATION_SPECIALIST": Decimal("1500.00"),
    "CLASSIFICATION_CONSULTANT": Decimal("1800.00"),
    "REGISTRATION_YEAR_OTHER": Decimal("160.00"),
    "REGISTRATION_YEAR_SENIOR": Decimal("200.00"),
    "REGISTRATION_YEAR_CONSULTANT": Decimal("250.00"),
    "GOOD_STANDING": Decimal("100.00"),
    "TRAINING_CERTIFICATE": Decimal("100.00"),
    "CPD_RECOGNITION": Decimal("50.00"),
})

CLASSIFICATION_GROUP: Mapping[str, str] = MappingProxyType({
    "GENERAL_PRACTITIONER": "BASIC",
    "RESIDENT": "BASIC",
    "PHARMACIST": "BASIC",
    "TECHNICIAN": "BASIC",
    "REGISTRAR": "SPECIALIST",
    "SPECIALIST": "SPECIALIST",
    "SENIOR_REGISTRAR": "SPECIALIST",
    "SENIOR_SPECIALIST": "SPECIALIST",
    "SENIOR_PHARMACIST": "SPECIALIST",
    "CONSULTANT": "CONSULTANT",
    "CONSULTANT_PHARMACIST": "CONSULTANT",
})

REGISTRATION_GROUP: Mapping[str, str] = MappingProxyType({
    "GENERAL_PRACTITIONER": "OTHER",
    "RESIDENT": "OTHER",
    "PHARMACIST": "OTHER",
    "TECHNICIAN": "OTHER",
    "REGISTRAR": "OTHER",
    "SPECIALIST": "OTHER",
    "SENIOR_REGISTRAR": "SENIOR",
    "SENIOR_SPECIALIST": "SENIOR",
    "SENIOR_PHARMACIST": "SENIOR",
    "CONSULTANT": "CONSULTANT",
    "CONSULTANT_PHARMACIST": "CONSULTANT",
})

_FLAT_FEES = {
    "GOOD_STANDING": "GOOD_STANDING",
    "TRAINING_CERTIFICATE": "TRAINING_CERTIFICATE",
    "CPD_RECOGNITION": "CPD_RECOGNITION",
}
FREE_KINDS = frozenset({"QUALIFICATION_EVALUATION", "PERSONAL_DATA_CHANGE"})


def _group(groups: Mapping[str, str], rank: str | None) -> str:
    if rank not in groups:
        raise ValueError("INVALID")
    return groups[rank]


def classification_fee(rank: str | None, schedule: FeeSchedule = DEFAULT_SCHEDULE) -> Decimal:
    return schedule[f"CLASSIFICATION_{_group(CLASSIFICATION_GROUP, rank)}"]


def renewal_fee(rank: str | None, years: int | None,
                schedule: FeeSchedule = DEFAULT_SCHEDULE) -> Decimal:
    """Registration or renewal for `years` years (the same per-year rate for both)."""
    if not isinstance(years, int) or years < 1:
        raise ValueError("INVALID")
    return schedule[f"REGISTRATION_YEAR_{_group(REGISTRATION_GROUP, rank)}"] * years


def fee_for(kind: str, rank: str | None = None, years: int | None = None,
            schedule: FeeSchedule = DEFAULT_SCHEDULE) -> Decimal:
    """What an application of `kind` costs; `rank` is the rank applied for or held, `years`
    the period for a registration or renewal. ZERO means no payment step."""
    if kind in ("CLASSIFICATION", "RECLASSIFICATION"):
        return classification_fee(rank, schedule)
    if kind in ("REGISTRATION", "RENEWAL"):
        return renewal_fee(rank, years, schedule)
    if kind in _FLAT_FEES:
        return schedule[_FLAT_FEES[kind]]
    if kind in FREE_KINDS:
        return ZERO
    raise ValueError("INVALID")


def make_schedule(overrides: Mapping[str, Decimal | str | int]) -> FeeSchedule:
    """The defaults with an admin's amounts in place; ValueError("INVALID") for an unknown
    item or an amount that is negative or finer than a halala."""
    schedule = dict(DEFAULT_SCHEDULE)
    for item, amount in overrides.items():
        if item not in schedule:
            raise ValueError("INVALID")
        schedule[item] = parse_amount(amount)
    return MappingProxyType(schedule)


def parse_amount(value: Decimal | str | int) -> Decimal:
    """A non-negative SAR amount with at most two decimals, as `Decimal("300.00")`."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("INVALID") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENTS):
        raise ValueError("INVALID")
    return amount.quantize(CENTS)


def to_halalas(amount: Decimal) -> int:
    """Whole halalas (1 SAR = 100), as card gateways want them; fractions of a halala are
    a bug upstream, so they raise ValueError("INVALID") rather than round."""
    halalas = amount * 100
    if not halalas.is_finite() or halalas != halalas.to_integral_value():
        raise ValueError("INVALID")
    return int(halalas)


def from_halalas(halalas: int) -> Decimal:
    return (Decimal(halalas) / 100).quantize(CENTS)


def amount_string(amount: Decimal) -> str:
    """The contract's `Money.amount`: "300.00"."""
    return f"{amount.quantize(CENTS):f}"
