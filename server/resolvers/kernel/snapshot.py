"""The record frozen when an application leaves draft (every kind), and read back: what a
reviewer later compares with the record as it is at review."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from server.domain import cpd as cpd_rules
from server.domain.names import full_name
from server.models.practitioners import (
    CpdActivity,
    Experience,
    License,
    Practitioner,
    Qualification,
    Registration,
)

# (field, kind of code or None): compared in this order.
COMPARED = (
    ("fullNameAr", None), ("fullNameEn", None), ("dateOfBirth", None),
    ("category", "category"), ("specialty", "specialty"), ("rank", "rank"),
    ("registrationNumber", None), ("registrationValidFrom", None),
    ("registrationValidUntil", None),
)


def record_values(practitioner: Practitioner | None,
                  registration: Registration | None) -> dict[str, str | None]:
    """The compared fields of the record as it is now."""
    if practitioner is None:
        return {}
    p = practitioner
    return {
        "fullNameAr": full_name([p.first_name_ar, p.father_name_ar, p.grandfather_name_ar,
                                 p.family_name_ar]),
        "fullNameEn": full_name([p.first_name_en, p.father_name_en, p.grandfather_name_en,
                                 p.family_name_en]),
        "dateOfBirth": p.date_of_birth.isoformat(),
        "category": p.category, "specialty": p.specialty, "rank": p.rank,
        "registrationNumber": registration.number if registration else None,
        "registrationValidFrom": registration.valid_from.isoformat() if registration else None,
        "registrationValidUntil": registration.valid_until.isoformat()
        if registration else None,
    }


async def freeze(practitioner: Practitioner, registration: Registration | None,
                 answers: dict | None = None) -> dict:
    """The record as the reviewer will see it, frozen when the application leaves draft:
    compared with the record as it is at review (`comparison`)."""
    experiences = await Experience.filter(practitioner_id=practitioner.id) \
        .order_by("-start_date").values("workplace", "city", "country", "start_date",
                                        "end_date", "certificate_id")
    licences = await License.filter(practitioner_id=practitioner.id).values(
        "authority", "country", "reference_number", "expiry_date")
    qualifications = await Qualification.filter(practitioner_id=practitioner.id) \
        .order_by("-awarded_on").values("degree", "institution", "country", "awarded_on",
                                        "verification_reference", "verification_outcome")
    cpd = await CpdActivity.filter(practitioner_id=practitioner.id) \
        .order_by("-completed_on").values("title", "provider", "hours", "completed_on",
                                          "status", "certificate_id")
    frozen = {
        "practitioner": {
            "names_ar": [practitioner.first_name_ar, practitioner.father_name_ar,
                         practitioner.grandfather_name_ar, practitioner.family_name_ar],
            "names_en": [practitioner.first_name_en, practitioner.father_name_en,
                         practitioner.grandfather_name_en, practitioner.family_name_en],
            "date_of_birth": practitioner.date_of_birth.isoformat(),
            "category": practitioner.category, "specialty": practitioner.specialty,
            "rank": practitioner.rank,
        },
        "registration": None,
        "answers": answers or {},
        "experiences": [_plain(e) for e in experiences],
        "licences": [_plain(lic) for lic in licences],
        "qualifications": [_plain(q) for q in qualifications],
        "cpd": [_plain(c) for c in cpd],
    }
    if registration is not None:
        frozen["registration"] = {"number": registration.number,
                                  "valid_from": registration.valid_from.isoformat(),
                                  "valid_until": registration.valid_until.isoformat()}
        frozen["cpd_period_years"] = cpd_rules.current_period(
            registration.valid_from, registration.valid_until).years
    return frozen


def _plain(row: dict) -> dict:
    """A row as JSON keeps it: dates as YYYY-MM-DD, ids and hours as text."""
    return {k: v.isoformat() if isinstance(v, dt.date) else
            str(v) if isinstance(v, uuid.UUID | Decimal) else v for k, v in row.items()}


# The lists of the record compared entry by entry, in this order.
SECTIONS = ("qualifications", "experiences", "licences", "cpd")


def _entry_key(entry: dict) -> str:
    """An entry is the same when every frozen value is: a changed one shows as one gone
    and one added."""
    return repr(sorted((k, str(v)) for k, v in entry.items()))


def compare_entries(then: dict | None, now: dict) -> list[dict]:
    """[{section, entry, before, after}] for every qualification, experience, licence and
    CPD activity in either frozen record (`then`, `now`: what `freeze` returns): `before`
    and `after` say whether it is in each; `before` is None when `then` did not freeze the
    section (a snapshot older than the section, or none at all)."""
    then = then if isinstance(then, dict) else {}
    rows = []
    for section in SECTIONS:
        old = then.get(section) if isinstance(then.get(section), list) else None
        new = now.get(section) or []
        old_keys = {_entry_key(e) for e in old or [] if isinstance(e, dict)}
        new_keys = {_entry_key(e) for e in new}
        for entry in new:
            rows.append({"section": section, "entry": entry,
                         "before": None if old is None else _entry_key(entry) in old_keys,
                         "after": True})
        for entry in old or []:
            if isinstance(entry, dict) and _entry_key(entry) not in new_keys:
                rows.append({"section": section, "entry": entry, "before": True,
                             "after": False})
    return rows


def snapshot_values(snapshot: dict | None) -> dict[str, str | None]:
    """The same fields from the snapshot frozen at submission (the renewal's shape:
    {"practitioner": {names_ar, names_en, date_of_birth, category, specialty, rank},
    "registration": {number, valid_from, valid_until}}); {} without one."""
    if not isinstance(snapshot, dict):
        return {}
    person = snapshot.get("practitioner") if isinstance(snapshot.get("practitioner"),
                                                         dict) else {}
    registration = snapshot.get("registration") \
        if isinstance(snapshot.get("registration"), dict) else {}
    if not person and not registration:
        return {}

    def names(key: str) -> str | None:
        value = person.get(key)
        return full_name([str(v or "") for v in value]) if isinstance(value, list) else None

    return {
        "fullNameAr": names("names_ar"), "fullNameEn": names("names_en"),
        "dateOfBirth": person.get("date_of_birth"), "category": person.get("category"),
        "specialty": person.get("specialty"), "rank": person.get("rank"),
        "registrationNumber": registration.get("number"),
        "registrationValidFrom": registration.get("valid_from"),
        "registrationValidUntil": registration.get("valid_until"),
    }
