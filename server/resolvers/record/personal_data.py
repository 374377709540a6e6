"""Edit registrant details: a PERSONAL_DATA_CHANGE application. Nothing on the record
changes until a reviewer approves; then the change is applied in one transaction."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from server import clock
from server.domain import applications as app_rules
from server.domain import codes
from server.domain.dates import validate_birth_date
from server.domain.errors import DomainError, Problems
from server.domain.identity import validate_identity
from server.domain.names import validate_arabic_name_part, validate_latin_name_part
from server.i18n import N_
from server.models.practitioners import (
    FAMILY_NAME_FIELDS,
    GIVEN_NAME_FIELDS,
    Practitioner,
    Registration,
    name_search_of,
)
from server.resolvers.kernel import documents, lifecycle
from server.resolvers.kernel.access import require_practitioner
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.inputs import parse_date
from server.resolvers.kernel.record_history import record_change
from server.resolvers.kernel.status_notices import notify_status

ARABIC_PARTS = ("firstNameAr", "fatherNameAr", "grandfatherNameAr", "familyNameAr")
LATIN_PARTS = ("firstNameEn", "fatherNameEn", "grandfatherNameEn", "familyNameEn")
COLUMNS = {
    "firstNameAr": "first_name_ar", "fatherNameAr": "father_name_ar",
    "grandfatherNameAr": "grandfather_name_ar", "familyNameAr": "family_name_ar",
    "firstNameEn": "first_name_en", "fatherNameEn": "father_name_en",
    "grandfatherNameEn": "grandfather_name_en", "familyNameEn": "family_name_en",
    "dateOfBirth": "date_of_birth", "gender": "gender", "nationality": "nationality",
    "identityNumber": "identity_number",
}


def _validated_changes(practitioner: Practitioner, changes: dict,
                       problems: Problems) -> dict[str, str]:
    """field → new value (as text) for what really changes."""
    found: dict[str, str] = {}
    for field, raw in changes.items():
        if raw is None or field not in COLUMNS:
            continue
        try:
            if field in ARABIC_PARTS:
                value = validate_arabic_name_part(str(raw))
            elif field in LATIN_PARTS:
                value = validate_latin_name_part(str(raw))
            elif field == "dateOfBirth":
                day = parse_date(raw, f"changes.{field}", problems)
                if day is None:
                    continue
                value = validate_birth_date(day, clock.today()).isoformat()
            elif field == "gender":
                value = str(raw).upper()
                if value not in ("M", "F"):
                    raise ValueError("INVALID")
            elif field == "nationality":
                value = str(raw).upper()
                if not codes.is_country(value):
                    raise ValueError("INVALID")
            else:
                value = validate_identity(practitioner.identity_type, str(raw))
        except ValueError as error:
            code = str(error) if str(error) in ("REQUIRED", "INVALID", "MISMATCH",
                                                "NOT_ALLOWED") else "INVALID"
            problems.add(code, f"changes.{field}")
            continue
        current = getattr(practitioner, COLUMNS[field])
        if str(current.isoformat() if isinstance(current, dt.date) else current) != value:
            found[field] = value
    return found


async def request_change(ctx: Caller, registration_number: str, changes: dict, document_ids: list,
                         note: str):
    practitioner = await require_practitioner(ctx)
    problems = Problems()
    registration = await Registration.get_or_none(practitioner_id=practitioner.id)
    number = app_rules.normalize_registration_number(registration_number or "")
    if not number:
        problems.add("REQUIRED", "registrationNumber")
    elif registration is None or registration.number != number:
        problems.add("MISMATCH", "registrationNumber", N_(
            "This is not the registration number of your record."))
    found = _validated_changes(practitioner, changes or {}, problems)
    if not found and not problems:
        problems.add("REQUIRED", "changes", N_("Change at least one detail."))
    if not document_ids:
        problems.add("REQUIRED", "documentIds", N_(
            "Attach evidence for the change, such as your passport or national ID."))
    if len(note or "") > 1000:
        problems.add("INVALID", "note", N_("Use at most %(limit)s characters."), limit=1000)
    problems.raise_if_any()
    evidence = await documents.owned_documents(ctx.account, [str(d) for d in document_ids],
                                               "documentIds")
    before = {f: str(getattr(practitioner, COLUMNS[f])) for f in found}
    async with in_transaction():
        application = await lifecycle.create(
            "PERSONAL_DATA_CHANGE", ctx.account, practitioner, status="SUBMITTED",
            data={"changes": found, "before": before, "note": (note or "").strip()},
            document_ids=[(d.id, "EVIDENCE") for d in evidence])
        await documents.mark_attached([d.id for d in evidence])
        await notify_status(ctx.settings, application)
    return application


async def apply_approved_change(application, reviewer_id) -> None:
    """Called by the reviewer's approval, inside its transaction."""
    changes: dict = application.data.get("changes", {})
    values = {COLUMNS[f]: (dt.date.fromisoformat(v) if f == "dateOfBirth" else v)
              for f, v in changes.items()}
    updated = await Practitioner.filter(id=application.practitioner_id).update(**values)
    if updated != 1:
        raise DomainError("NOT_FOUND", None)
    if values.keys() & {*GIVEN_NAME_FIELDS, *FAMILY_NAME_FIELDS}:
        # update() bypasses save(): the names' search terms are rewritten with them. Apart,
        # because on SQLite the search index's trigger inflates the count checked above.
        [names] = await Practitioner.filter(id=application.practitioner_id).values(
            *GIVEN_NAME_FIELDS, *FAMILY_NAME_FIELDS)
        await Practitioner.filter(id=application.practitioner_id).update(
            name_search=name_search_of(names))
    await record_change(application.practitioner_id, reviewer_id, "PERSONAL_DATA_CHANGED",
                        {"before": application.data.get("before", {}), "after": changes},
                        application.id)

