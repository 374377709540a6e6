"""Experience, licences held elsewhere and qualifications: the practitioner keeps them
current, each with its document. Another practitioner's ids are simply NOT_FOUND."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from server import clock
from server.domain import codes
from server.domain.errors import DomainError, Problems
from server.i18n import N_
from server.models.practitioners import Experience, License, Qualification
from server.resolvers.kernel import documents
from server.resolvers.kernel.access import require_practitioner
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.kernel.inputs import parse_date
from server.resolvers.kernel.record_history import record_change

TEXT_LIMITS = {"city": 100, "workplace": 200, "specialty": 100, "jobDescription": 2000,
               "authority": 200, "referenceNumber": 100, "degree": 200, "institution": 200,
               "verificationReference": 100}


def _text(data: dict, field: str, problems: Problems, required: bool = True) -> str:
    value = " ".join(str(data.get(field) or "").split())
    if required and not value:
        problems.add("REQUIRED", field)
    elif len(value) > TEXT_LIMITS.get(field, 200):
        problems.add("INVALID", field, N_("Use at most %(limit)s characters."),
                     limit=TEXT_LIMITS.get(field, 200))
    return value


def _country(data: dict, field: str, problems: Problems) -> str:
    value = str(data.get(field) or "").strip().upper()
    if not value:
        problems.add("REQUIRED", field)
    elif not codes.is_country(value):
        problems.add("INVALID", field, N_("Choose a country from the list."))
    return value


async def _document(ctx: Caller, data: dict, field: str, problems: Problems, required: bool):
    document_id = data.get(field)
    if not document_id:
        if required:
            problems.add("REQUIRED", field, N_("Attach the document."))
        return None
    try:
        [document] = await documents.owned_documents(ctx.account, [str(document_id)], field)
    except DomainError:
        problems.add("NOT_FOUND", field, N_("Upload the document again."))
        return None
    return document


# ------------------------------------------------------------------ experience

def _overlaps(start: dt.date, end: dt.date | None, other: Experience) -> bool:
    far = dt.date.max
    return start <= (other.end_date or far) and other.start_date <= (end or far)


async def _experience_values(ctx: Caller, practitioner, data: dict, current: Experience | None):
    """Validated fields of an experience; for an update, missing fields keep their value."""
    if current is not None:
        merged = {"city": current.city, "country": current.country,
                  "workplace": current.workplace, "specialty": current.specialty,
                  "jobDescription": current.job_description, "startDate": current.start_date,
                  "endDate": current.end_date, "organizationType": current.organization_type,
                  "certificateId": current.certificate_id}
        merged.update(data)  # only the fields the client sent; endDate null = still there
        data = merged
    problems = Problems()
    values = {
        "city": _text(data, "city", problems),
        "country": _country(data, "country", problems),
        "workplace": _text(data, "workplace", problems),
        "specialty": _text(data, "specialty", problems),
        "job_description": _text(data, "jobDescription", problems, required=False),
    }
    organization = str(data.get("organizationType") or "")
    if not organization:
        problems.add("REQUIRED", "organizationType")
    elif not codes.is_code("organization_type", organization):
        problems.add("INVALID", "organizationType", N_("Choose a type from the list."))
    values["organization_type"] = organization
    start = parse_date(data.get("startDate"), "startDate", problems)
    end = None
    if data.get("endDate"):
        end = parse_date(data.get("endDate"), "endDate", problems)
    today = clock.today()
    if start and start > today:
        problems.add("INVALID", "startDate", N_("The start date cannot be in the future."))
    if start and end and end < start:
        problems.add("INVALID", "endDate", N_("The end date must be after the start date."))
    if end and end > today:
        problems.add("INVALID", "endDate", N_(
            "The end date cannot be in the future. Leave it empty while you still work there."))
    if start and not problems.has("endDate"):
        others = await Experience.filter(practitioner_id=practitioner.id)
        clash = next((o for o in others if (current is None or o.id != current.id)
                      and _overlaps(start, end, o)), None)
        if clash is not None:
            problems.add("INVALID", "startDate", N_(
                "These dates overlap your experience at %(workplace)s."),
                workplace=clash.workplace)
    certificate = await _document(ctx, data, "certificateId", problems, required=False)
    problems.raise_if_any()
    values.update(start_date=start, end_date=end,
                  certificate_id=certificate.id if certificate else None)
    return values


async def add_experience(ctx: Caller, data: dict) -> Experience:
    practitioner = await require_practitioner(ctx)
    values = await _experience_values(ctx, practitioner, data, None)
    async with in_transaction():
        experience = await Experience.create(practitioner=practitioner, **values)
        await _attached(values.get("certificate_id"))
        await record_change(practitioner.id, ctx.account.id, "EXPERIENCE_ADDED",
                            {"workplace": experience.workplace})
    return experience


async def _mine(model, ctx, entry_id, field: str = "id"):
    practitioner = await require_practitioner(ctx)
    wanted = as_uuid(entry_id)
    entry = await model.get_or_none(id=wanted, practitioner_id=practitioner.id) \
        if wanted else None
    if entry is None:
        raise DomainError("NOT_FOUND", field)
    return practitioner, entry


async def update_experience(ctx: Caller, entry_id, data: dict) -> Experience:
    practitioner, experience = await _mine(Experience, ctx, entry_id)
    values = await _experience_values(ctx, practitioner, data, experience)
    async with in_transaction():
        await Experience.filter(id=experience.id).update(**values)
        await _attached(values.get("certificate_id"))
        await record_change(practitioner.id, ctx.account.id, "EXPERIENCE_CHANGED",
                            {"workplace": values["workplace"]})
    return await Experience.get(id=experience.id)


async def remove_experience(ctx: Caller, entry_id) -> str:
    practitioner, experience = await _mine(Experience, ctx, entry_id)
    async with in_transaction():
        await experience.delete()
        await record_change(practitioner.id, ctx.account.id, "EXPERIENCE_REMOVED",
                            {"workplace": experience.workplace})
    return str(experience.id)


# ------------------------------------------------------------------ licences

async def _license_values(ctx: Caller, data: dict, current: License | None) -> dict:
    """Checked values for a new licence or a changed one; for a change, the fields not
    sent (the document among them) keep their value."""
    if current is not None:
        merged = {"specialty": current.specialty, "country": current.country,
                  "authority": current.authority, "referenceNumber": current.reference_number,
                  "expiryDate": current.expiry_date, "documentId": current.document_id}
        merged.update(data)
        data = merged
    problems = Problems()
    values = {
        "specialty": _text(data, "specialty", problems),
        "country": _country(data, "country", problems),
        "authority": _text(data, "authority", problems),
        "reference_number": _text(data, "referenceNumber", problems),
    }
    expiry = parse_date(data.get("expiryDate"), "expiryDate", problems)
    if expiry and expiry < clock.today():
        problems.add("INVALID", "expiryDate", N_(
            "This licence has expired. List only licences you hold now."))
    if current is not None and data["documentId"] == current.document_id:
        document_id = current.document_id  # kept: it is the caller's already
    else:
        document = await _document(ctx, data, "documentId", problems, required=True)
        document_id = document.id if document else None
    problems.raise_if_any()
    values.update(expiry_date=expiry, document_id=document_id)
    return values


async def add_license(ctx: Caller, data: dict) -> License:
    practitioner = await require_practitioner(ctx)
    values = await _license_values(ctx, data, None)
    async with in_transaction():
        license_ = await License.create(practitioner=practitioner, **values)
        await _attached(values["document_id"])
        await record_change(practitioner.id, ctx.account.id, "LICENSE_ADDED",
                            {"authority": license_.authority})
    return license_


async def update_license(ctx: Caller, entry_id, data: dict) -> License:
    practitioner, license_ = await _mine(License, ctx, entry_id)
    values = await _license_values(ctx, data, license_)
    async with in_transaction():
        await License.filter(id=license_.id).update(**values)
        await _attached(values["document_id"])
        await record_change(practitioner.id, ctx.account.id, "LICENSE_CHANGED",
                            {"authority": values["authority"]})
    return await License.get(id=license_.id)


async def remove_license(ctx: Caller, entry_id) -> str:
    practitioner, license_ = await _mine(License, ctx, entry_id)
    async with in_transaction():
        await license_.delete()
        await record_change(practitioner.id, ctx.account.id, "LICENSE_REMOVED",
                            {"authority": license_.authority})
    return str(license_.id)


# ------------------------------------------------------------------ qualifications

async def add_qualification(ctx: Caller, data: dict) -> Qualification:
    practitioner = await require_practitioner(ctx)
    problems = Problems()
    values = {
        "degree": _text(data, "degree", problems),
        "institution": _text(data, "institution", problems),
        "country": _country(data, "country", problems),
        "verification_reference": _text(data, "verificationReference", problems,
                                        required=False),
    }
    if not values["verification_reference"]:
        problems.add("REQUIRED", "verificationReference", N_(
            "Enter the report number of the qualification's primary-source verification "
            "(DataFlow)."))
    awarded = parse_date(data.get("awardedOn"), "awardedOn", problems)
    if awarded and awarded > clock.today():
        problems.add("INVALID", "awardedOn", N_("The date cannot be in the future."))
    certificate = await _document(ctx, data, "certificateId", problems, required=True)
    problems.raise_if_any()
    async with in_transaction():
        qualification = await Qualification.create(
            practitioner=practitioner, awarded_on=awarded, certificate_id=certificate.id,
            **values)
        await _attached(certificate.id)
        await record_change(practitioner.id, ctx.account.id, "QUALIFICATION_ADDED",
                            {"degree": qualification.degree})
    return qualification


async def _attached(document_id) -> None:
    if document_id:
        await documents.mark_attached([document_id])
