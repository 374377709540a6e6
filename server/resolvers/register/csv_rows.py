"""One row of the registry CSV, checked with the domain rules (server/resolvers/
registry_import.py reads the file and writes the rows): the columns of the contract, and
for each row either its cleaned values or the reason it is rejected."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from server.domain import codes
from server.domain.applications import is_registration_number_like, normalize_registration_number
from server.domain.dates import validate_birth_date
from server.domain.identity import IDENTITY_TYPES, normalize_digits, validate_identity
from server.domain.names import validate_arabic_name_part, validate_latin_name_part

COLUMNS = (
    "registration_number", "identity_type", "identity_number",
    "first_name_ar", "father_name_ar", "grandfather_name_ar", "family_name_ar",
    "first_name_en", "father_name_en", "grandfather_name_en", "family_name_en",
    "date_of_birth", "gender", "nationality", "category", "specialty", "rank",
    "registration_valid_from", "registration_valid_until",
)
NAME_COLUMNS = COLUMNS[3:11]
OPTIONAL_NAME_COLUMNS = frozenset({"father_name_ar", "grandfather_name_ar",
                                   "father_name_en", "grandfather_name_en"})

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SAUDI_LIKE = re.compile(r"[12][0-9]{9}")
_ID_LABEL = {"NATIONAL_ID": "a national ID", "IQAMA": "an Iqama", "PASSPORT": "a passport"}


@dataclass(slots=True)
class Row:
    line: int
    raw: list[str]
    number: str = ""
    reason: str = ""  # why the row is rejected, when it is
    person: dict | None = None  # Practitioner fields
    registration: dict | None = None  # Registration fields

    @property
    def identity(self) -> tuple[str, str]:
        return self.person["identity_type"], self.person["identity_number"]


# ------------------------------------------------------------------ checking a row

def validated(row: Row, header: list[str], index: dict[str, int], today: dt.date) -> Row:
    """The row with its cleaned values, or with `person` None and a `reason`."""
    if len(row.raw) != len(header):
        row.reason = f"the row has {len(row.raw)} values but the header has {len(header)} columns"
        row.raw = (row.raw + [""] * len(header))[:len(header)]  # keeps the rejected file square
        return row
    value = {name: row.raw[i].strip() for name, i in index.items()}
    problems: list[str] = []

    def problem(column: str, text: str) -> None:
        problems.append(f"{column}: {text}")

    number = normalize_registration_number(value["registration_number"])
    if not number:
        problem("registration_number", "required")
    elif not is_registration_number_like(number):
        problem("registration_number", "not a registration number (3 to 20 letters, digits "
                                       "and hyphens)")
    identity_type = _code(value, "identity_type", problem, IDENTITY_TYPES.__contains__,
                          f"must be one of {', '.join(IDENTITY_TYPES)}")
    identity_number = ""
    if identity_type in IDENTITY_TYPES:
        try:
            identity_number = validate_identity(identity_type, value["identity_number"])
        except ValueError as error:
            problem("identity_number", _identity_problem(identity_type, value["identity_number"],
                                                         str(error)))
    names = {}
    for column in NAME_COLUMNS:
        names[column], error = _name(value[column], column.endswith("_ar"))
        if error == "REQUIRED" and column not in OPTIONAL_NAME_COLUMNS:
            problem(column, "required")
        elif error == "INVALID":
            script = "Arabic" if column.endswith("_ar") else "Latin"
            problem(column, f"must be {script} letters (at most 50, words joined by a "
                            "space, hyphen or apostrophe)")
    born = _date(value, "date_of_birth", problem)
    if born is not None:
        try:
            validate_birth_date(born, today)
        except ValueError as error:
            problem("date_of_birth", "too recent: a practitioner is at least 17 years old"
                    if str(error) == "NOT_ALLOWED" else "in the future or over 100 years ago")
    gender = _code(value, "gender", problem, ("M", "F").__contains__, "must be M or F")
    nationality = _code(value, "nationality", problem, codes.is_country,
                        "not an ISO 3166 alpha-2 country code (like SA, EG, IN)")
    category = _code(value, "category", problem, codes.LABELS["category"].__contains__,
                     f"must be one of {', '.join(codes.LABELS['category'])}")
    specialty = codes.specialty_code(value["specialty"])
    if not value["specialty"]:
        problem("specialty", "required")
    elif specialty is None:
        problem("specialty", f"unknown specialty {value['specialty']!r} (a code or English "
                             "name of the specialties list)")
    elif codes.is_code("category", category) and category not in codes.specialty_categories(
            specialty):
        problem("specialty", f"{specialty} is not a specialty of {category}")
    rank = value["rank"].upper()
    if not rank:
        problem("rank", "required")
    elif codes.is_code("category", category) and not codes.is_rank_of(category, rank):
        problem("rank", f"{rank} is not a rank of {category} (one of "
                        f"{', '.join(codes.ranks_for(category))})")
    valid_from = _date(value, "registration_valid_from", problem)
    valid_until = _date(value, "registration_valid_until", problem)
    if valid_from and valid_until and valid_until <= valid_from:
        problem("registration_valid_until", "must be after registration_valid_from")
    if problems:
        row.reason = "; ".join(problems)
        return row
    row.number = number
    row.person = {"identity_type": identity_type, "identity_number": identity_number, **names,
                  "date_of_birth": born, "gender": gender, "nationality": nationality,
                  "category": category, "specialty": specialty, "rank": rank}
    row.registration = {"rank": rank, "specialty": specialty, "valid_from": valid_from,
                        "valid_until": valid_until}
    return row


@lru_cache(maxsize=1 << 16)
def _name(text: str, arabic: bool) -> tuple[str, str | None]:
    """(the name part as stored, None) or ("", error code); names repeat, so it is cached."""
    try:
        return (validate_arabic_name_part if arabic else validate_latin_name_part)(text), None
    except ValueError as error:
        return "", str(error)


def _code(value: dict[str, str], column: str, problem, valid, message: str) -> str:
    """The code upper-cased; a problem when it is empty or not `valid`."""
    code = value[column].upper()
    if not code:
        problem(column, "required")
    elif not valid(code):
        problem(column, message)
    return code


def _identity_problem(identity_type: str, number: str, code: str) -> str:
    if code == "REQUIRED":
        return "required"
    if identity_type == "PASSPORT":
        return "not a passport number (6 to 9 letters and digits)"
    compact = re.sub(r"[\s-]+", "", normalize_digits(number))
    if code == "MISMATCH":
        other = "NATIONAL_ID" if identity_type == "IQAMA" else "IQAMA"
        return f"this is {_ID_LABEL[other]} number, but identity_type is {identity_type}"
    if _SAUDI_LIKE.fullmatch(compact):
        return "the check digit (the last digit) is wrong"
    first = "1" if identity_type == "NATIONAL_ID" else "2"
    return f"not {_ID_LABEL[identity_type]} number (10 digits starting with {first})"


def _date(value: dict[str, str], column: str, problem) -> dt.date | None:
    text = normalize_digits(value[column])
    if not text:
        problem(column, "required")
        return None
    try:
        if _DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    problem(column, f"not a date like 2024-03-31: {value[column]!r}")
    return None
