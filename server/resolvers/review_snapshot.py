"""What a reviewer compares: the record frozen at submission beside the record as it is now,
the answers given, and a personal-data change's values (before, now, asked for)."""

from __future__ import annotations

import datetime as dt
import uuid

from server.domain import codes
from server.domain import cpd as cpd_rules
from server.domain.names import full_name
from server.models.applications import Application
from server.models.practitioners import (
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
    }
    if registration is not None:
        frozen["registration"] = {"number": registration.number,
                                  "valid_from": registration.valid_from.isoformat(),
                                  "valid_until": registration.valid_until.isoformat()}
        frozen["cpd_period_years"] = cpd_rules.current_period(
            registration.valid_from, registration.valid_until).years
    return frozen


def _plain(row: dict) -> dict:
    """A row as JSON keeps it: dates as YYYY-MM-DD, ids as text."""
    return {k: v.isoformat() if isinstance(v, dt.date) else
            str(v) if isinstance(v, uuid.UUID) else v for k, v in row.items()}


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


def comparison(snapshot: dict | None, practitioner: Practitioner | None,
               registration: Registration | None, lang: str) -> list[dict]:
    """[{field, snapshot, current, changed}]: codes shown as labels in `lang`, compared as
    codes; `changed` only when there is a snapshot to compare with."""
    then, current = snapshot_values(snapshot), record_values(practitioner, registration)
    rows = []
    for field, code_kind in COMPARED:
        old, new = then.get(field), current.get(field)

        def shown(value, code_kind=code_kind):
            if value is None or code_kind is None:
                return value
            return codes.label(code_kind, value, lang) or value

        rows.append({"field": field, "snapshot": shown(old), "current": shown(new),
                     "changed": bool(then) and (old or None) != (new or None)})
    return rows


async def answers(kind: str, data: dict | None, lang: str) -> list[dict]:
    """[{code, question, answer}]: a renewal's questions with the applicant's answers; for
    other kinds the plain values of `data` (internal ids and nested values left out)."""
    data = data if isinstance(data, dict) else {}
    if kind == "RENEWAL":
        from server.resolvers.renewals import current_questions

        given = data.get("answers") if isinstance(data.get("answers"), dict) else {}
        asked = await current_questions()
        known = {q.code for q in asked}
        # Answers to questions no longer asked are still shown, by their code.
        return [{"code": q.code, "question": q.text(lang), "answer": given.get(q.code)}
                for q in asked] + [{"code": code, "question": None, "answer": str(answer)}
                                   for code, answer in given.items() if code not in known]
    return [{"code": key, "question": None, "answer": None if value is None else str(value)}
            for key, value in data.items()
            if key not in ("answers", "changes", "before") and not key.endswith("_id")
            and (value is None or isinstance(value, str | int | float | bool))]


def requested_changes(application: Application, practitioner: Practitioner | None
                      ) -> list[dict]:
    """A personal-data change: per field, the value when asked, now, and the one asked
    for. `current` differing from `before` means the record changed since."""
    from server.resolvers.personal_data import COLUMNS

    if not isinstance(application.data, dict):
        return []
    if application.kind in ("CLASSIFICATION", "RECLASSIFICATION"):
        return _rank_change(application.data, practitioner)
    if application.kind != "PERSONAL_DATA_CHANGE":
        return []
    changes = application.data.get("changes") or {}
    before = application.data.get("before") or {}
    rows = []
    for field, requested in changes.items():
        current = None
        if practitioner is not None and field in COLUMNS:
            value = getattr(practitioner, COLUMNS[field])
            current = value.isoformat() if isinstance(value, dt.date) else str(value)
        rows.append({"field": field, "before": before.get(field), "current": current,
                     "requested": str(requested)})
    return rows


def _rank_change(data: dict, practitioner: Practitioner | None) -> list[dict]:
    """A (re)classification: the rank (and specialty) held when asked, now, and the one
    proposed or set by the reviewer."""
    rows = []
    for field, before_key in (("category", "from_category"), ("rank", "from_rank"),
                              ("specialty", "from_specialty")):
        if not data.get(field):
            continue
        current = getattr(practitioner, field, None) if practitioner is not None else None
        rows.append({"field": field, "before": data.get(before_key) or current,
                     "current": current, "requested": str(data[field])})
    return rows
