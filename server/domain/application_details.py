"""What an application page shows beside its status: what was asked for, the reviewer's
reasons point by point, and the words the system writes in its history."""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from server.domain.text import N_

Shown = Literal["text", "date", "code", "years", "level", "cpd_type"]


class Asked(NamedTuple):
    key: str  # in Application.data ("years" is the application's own column)
    label: str  # marked for translation
    shown: Shown = "text"
    code_kind: str | None = None  # for "code": the list in server/domain/codes.py


_CLASSIFICATION = (
    Asked("category", N_("Category"), "code", "category"),
    Asked("specialty", N_("Specialty"), "code", "specialty"),
    Asked("level", N_("Highest qualification"), "level"),
    Asked("years_of_experience", N_("Years of experience")),
    Asked("exam_reference", N_("Licensing exam reference")),
    Asked("proposed_rank", N_("Rank proposed"), "code", "rank"),
)
_RECLASSIFICATION = (
    Asked("from_rank", N_("Current rank"), "code", "rank"),
    Asked("rank", N_("Rank asked for"), "code", "rank"),
    Asked("from_specialty", N_("Current specialty"), "code", "specialty"),
    Asked("specialty", N_("Specialty asked for"), "code", "specialty"),
    Asked("note", N_("Your note")),
)
ASKED: dict[str, tuple[Asked, ...]] = {
    "CLASSIFICATION": _CLASSIFICATION,
    "RECLASSIFICATION": _RECLASSIFICATION,
    "REGISTRATION": (Asked("years", N_("Registration period, in years"), "years"),),
    "RENEWAL": (Asked("years", N_("Registration period, in years"), "years"),),
    "TRAINING_CERTIFICATE": (
        Asked("programme", N_("Programme")), Asked("institution", N_("Institution")),
        Asked("start", N_("Start date"), "date"), Asked("end", N_("End date"), "date")),
    "QUALIFICATION_EVALUATION": (Asked("degree", N_("Degree")),),
    "CPD_RECOGNITION": (Asked("title", N_("Activity")),
                        Asked("activity_type", N_("Type of activity"), "cpd_type"),
                        Asked("hours", N_("Hours"))),
}

# A personal-data change: data["changes"] is {field: value asked for}.
CHANGED_FIELDS: dict[str, tuple[str, Shown, str | None]] = {
    "firstNameAr": (N_("First name in Arabic"), "text", None),
    "fatherNameAr": (N_("Father's name in Arabic"), "text", None),
    "grandfatherNameAr": (N_("Grandfather's name in Arabic"), "text", None),
    "familyNameAr": (N_("Family name in Arabic"), "text", None),
    "firstNameEn": (N_("First name in English"), "text", None),
    "fatherNameEn": (N_("Father's name in English"), "text", None),
    "grandfatherNameEn": (N_("Grandfather's name in English"), "text", None),
    "familyNameEn": (N_("Family name in English"), "text", None),
    "dateOfBirth": (N_("Date of birth"), "date", None),
    "gender": (N_("Gender"), "code", "gender"),
    "nationality": (N_("Nationality"), "code", "country"),
    "identityNumber": (N_("Identity number"), "text", None),
}


def asked_for(kind: str, data: dict | None, years: int | None
              ) -> list[tuple[str, str, Shown, str | None]]:
    """[(label, raw value, how to show it, code list)] of what the applicant asked for, in
    the order a reader expects; empty values left out."""
    data = data if isinstance(data, dict) else {}
    rows: list[tuple[str, str, Shown, str | None]] = []
    if kind == "PERSONAL_DATA_CHANGE":
        for field, value in (data.get("changes") or {}).items():
            label, shown, code_kind = CHANGED_FIELDS.get(field, (field, "text", None))
            rows.append((label, str(value), shown, code_kind))
        if data.get("note"):
            rows.append((N_("Your note"), str(data["note"]), "text", None))
        return rows
    for asked in ASKED.get(kind, ()):
        value = years if asked.key == "years" else data.get(asked.key)
        if value is None or value == "":
            continue
        rows.append((asked.label, str(value), asked.shown, asked.code_kind))
    return rows


_BULLET = re.compile(r"^\s*(?:[-*•·–]|\(?[0-9٠-٩۰-۹]{1,2}[.)\-]|\(?[a-zA-Z][.)])\s+")


def reason_points(reason: str | None) -> list[str]:
    """A reviewer's reason as separate points: one per line, bullets and numbering taken
    off; a reason written as one paragraph stays one point."""
    points = []
    for line in (reason or "").splitlines():
        text = _BULLET.sub("", line).strip()
        if text:
            points.append(text)
    return points


# What the system writes in an application's history, stored in English and translated
# when shown (events written before this list keep their words and are translated too).
PAYMENT_CONFIRMED = N_("payment confirmed")
CANCELLED_BY_APPLICANT = N_("cancelled by applicant")
SYSTEM_REASONS = frozenset({PAYMENT_CONFIRMED, CANCELLED_BY_APPLICANT})

LEVEL_LABELS = {
    "DIPLOMA": N_("Diploma"), "BACHELOR": N_("Bachelor's degree"),
    "MASTER": N_("Master's degree"), "DOCTORATE": N_("Doctorate (PhD or clinical)"),
    "BOARD": N_("Board certification or fellowship"),
}
