"""Applying for the services besides renewal: classification, first registration,
reclassification, training and good-standing certificates, qualification evaluation; and
cancelling an application (with a refund request when it was paid)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from server import clock
from server.domain import application_details as details
from server.domain import codes, fees
from server.domain.classification import LEVELS, is_higher, proposed_rank
from server.domain.dates import validate_birth_date
from server.domain.errors import DomainError, Problems
from server.domain.identity import validate_identity
from server.domain.names import validate_arabic_name_part, validate_latin_name_part
from server.i18n import N_
from server.models.applications import Application, ApplicationEvent
from server.models.payments import Payment
from server.models.practitioners import Practitioner, Qualification, Registration
from server.resolvers.kernel import audit, documents, lifecycle, settings
from server.resolvers.kernel.access import require_account, require_practitioner, require_role
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.kernel.inputs import parse_date
from server.resolvers.kernel.record_history import record_change
from server.resolvers.kernel.status_notices import notify_status
from server.resolvers.record.entries import _country, _text

OPEN = ("DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "IN_REVIEW", "RETURNED")


async def _no_open(practitioner_id, kind: str) -> None:
    if await Application.exists(practitioner_id=practitioner_id, kind=kind, status__in=OPEN):
        raise DomainError("INVALID_STATE", None, N_(
            "You already have an application of this kind in progress."))


async def _evidence(ctx: Caller, ids, field: str, required: bool) -> list:
    if not ids:
        if required:
            raise DomainError("REQUIRED", field, N_("Attach the evidence."))
        return []
    return await documents.owned_documents(ctx.account, [str(i) for i in ids], field)


async def _create(ctx: Caller, kind: str, practitioner, *, fee, data: dict, evidence=(),
                  evidence_kind: str = "EVIDENCE", years: int | None = None) -> Application:
    async with in_transaction():
        await lifecycle.lock_practitioner(practitioner.id)
        await _no_open(practitioner.id, kind)  # again, now that no one else can insert
        application = await lifecycle.create(
            kind, ctx.account, practitioner, status="AWAITING_PAYMENT" if fee else "SUBMITTED",
            fee=fee or None, data=data, years=years,
            document_ids=[(d.id, evidence_kind) for d in evidence])
        await documents.mark_attached([d.id for d in evidence])
        await notify_status(ctx.settings, application)
    return application


async def apply_good_standing(ctx: Caller) -> Application:
    """Issued at once after payment when the registration is active and there is no
    sanction; otherwise a reviewer looks at it."""
    practitioner = await require_practitioner(ctx)
    if not await Registration.exists(practitioner_id=practitioner.id):
        raise DomainError("INVALID_STATE", None, N_(
            "A good-standing certificate needs a registration."))
    await _no_open(practitioner.id, "GOOD_STANDING")
    return await _create(ctx, "GOOD_STANDING", practitioner,
                         fee=fees.fee_for("GOOD_STANDING",
                                          schedule=await settings.fee_schedule()), data={})


async def apply_training_certificate(ctx: Caller, data: dict) -> Application:
    practitioner = await require_practitioner(ctx)
    problems = Problems()
    programme = _text(data, "programme", problems)
    institution = _text(data, "institution", problems)
    start = parse_date(data.get("startDate"), "startDate", problems)
    end = parse_date(data.get("endDate"), "endDate", problems)
    if start and end and end < start:
        problems.add("INVALID", "endDate", N_("The end date must be after the start date."))
    if end and end > clock.today():
        problems.add("INVALID", "endDate", N_("The training must have ended."))
    problems.raise_if_any()
    evidence = await _evidence(ctx, data.get("documentIds"), "documentIds", required=True)
    return await _create(ctx, "TRAINING_CERTIFICATE", practitioner,
                         fee=fees.fee_for("TRAINING_CERTIFICATE",
                                         schedule=await settings.fee_schedule()), evidence=evidence,
                         data={"programme": programme, "institution": institution,
                               "start": start.isoformat(), "end": end.isoformat()})


async def apply_qualification_evaluation(ctx: Caller, data: dict) -> Application:
    """The qualification goes on the record as PENDING_EVALUATION until approved."""
    practitioner = await require_practitioner(ctx)
    problems = Problems()
    degree = _text(data, "degree", problems)
    institution = _text(data, "institution", problems)
    country = _country(data, "country", problems)
    awarded = parse_date(data.get("awardedOn"), "awardedOn", problems)
    reference = _text(data, "verificationReference", problems, required=False)
    problems.raise_if_any()
    [certificate] = await _evidence(ctx, [data.get("certificateId")] if data.get(
        "certificateId") else [], "certificateId", required=True)
    async with in_transaction():
        qualification = await Qualification.create(
            practitioner=practitioner, degree=degree, institution=institution,
            country=country, awarded_on=awarded, certificate_id=certificate.id,
            verification_reference=reference, status="PENDING_EVALUATION")
        application = await lifecycle.create(
            "QUALIFICATION_EVALUATION", ctx.account, practitioner, status="SUBMITTED",
            data={"qualification_id": str(qualification.id), "degree": degree},
            document_ids=[(certificate.id, "QUALIFICATION_CERTIFICATE")])
        await documents.mark_attached([certificate.id])
        await notify_status(ctx.settings, application)
    return application


def _category_and_specialty(data: dict, problems: Problems) -> tuple[str, str | None]:
    """A category, and a specialty open to it (the page narrows the list with JavaScript;
    without it, or from the API, this is the check)."""
    category = str(data.get("category") or "")
    if not codes.is_code("category", category):
        problems.add("REQUIRED" if not category else "INVALID", "category")
    specialty = codes.specialty_code(str(data.get("specialty") or ""))
    if specialty is None:
        problems.add("REQUIRED" if not data.get("specialty") else "INVALID", "specialty",
                     N_("Choose a specialty from the list."))
    elif codes.is_code("category", category) and \
            category not in codes.specialty_categories(specialty):
        problems.add("INVALID", "specialty", N_(
            "This specialty is not open to the category you chose. Choose a specialty of "
            "that category, or another category."))
    return category, specialty


async def apply_classification(ctx: Caller, data: dict) -> Application:
    """For a practitioner's first classification (from inside the Kingdom). The system
    proposes a rank from the category's rules; the reviewer confirms or sets it."""
    practitioner = await require_practitioner(ctx)
    if practitioner.rank and await Registration.exists(practitioner_id=practitioner.id):
        raise DomainError("INVALID_STATE", None, N_(
            "You are already classified and registered. Apply for reclassification instead."))
    problems = Problems()
    category, specialty = _category_and_specialty(data, problems)
    level = str(data.get("qualificationLevel") or "")
    if level not in LEVELS:
        problems.add("REQUIRED" if not level else "INVALID", "qualificationLevel")
    years = data.get("yearsOfExperience")
    if not isinstance(years, int) or not 0 <= years <= 60:
        problems.add("INVALID", "yearsOfExperience", N_("Enter whole years, from 0 to 60."))
    exam = _text(data, "examReference", problems, required=False)
    if data.get("examPassed") is not True:
        problems.add("REQUIRED", "examPassed", N_(
            "Classification needs a passed licensing exam. Enter its result."))
    problems.raise_if_any()
    rank = proposed_rank(category, level, years)
    if rank is None:
        raise DomainError("NOT_ALLOWED", "qualificationLevel", N_(
            "This qualification does not lead to a rank in this category."))
    await _no_open(practitioner.id, "CLASSIFICATION")
    evidence = await _evidence(ctx, data.get("documentIds"), "documentIds", required=True)
    return await _create(ctx, "CLASSIFICATION", practitioner,
                         fee=fees.classification_fee(rank, await settings.fee_schedule()),
                         evidence=evidence, data={
                             "category": category, "specialty": specialty, "level": level,
                             "years_of_experience": years, "exam_reference": exam,
                             "proposed_rank": rank, "rank": rank})


async def apply_first_registration(ctx: Caller, years: int | None) -> Application:
    practitioner = await require_practitioner(ctx)
    if not practitioner.rank:
        raise DomainError("INVALID_STATE", None, N_(
            "Registration comes after classification. Apply for classification first."))
    if await Registration.exists(practitioner_id=practitioner.id):
        raise DomainError("INVALID_STATE", None, N_(
            "You are already registered. Renew your registration instead."))
    if years not in (1, 3, 5):
        raise DomainError("INVALID", "years", N_("Choose 1, 3 or 5 years."))
    await _no_open(practitioner.id, "REGISTRATION")
    return await _create(ctx, "REGISTRATION", practitioner, years=years,
                         fee=fees.renewal_fee(practitioner.rank, years,
                                              await settings.fee_schedule()), data={})


async def apply_reclassification(ctx: Caller, data: dict) -> Application:
    practitioner = await require_practitioner(ctx)
    target_rank = str(data.get("targetRank") or "") or practitioner.rank
    target_specialty = codes.specialty_code(str(data.get("targetSpecialty") or "")) \
        or practitioner.specialty
    if target_rank == practitioner.rank and target_specialty == practitioner.specialty:
        raise DomainError("REQUIRED", "targetRank", N_(
            "Choose a higher rank or another specialty."))
    if not codes.is_rank_of(practitioner.category, target_rank) or (
            target_rank != practitioner.rank
            and not is_higher(practitioner.category, practitioner.rank, target_rank)):
        raise DomainError("INVALID", "targetRank", N_(
            "Choose a rank higher than your current one, in your category."))
    await _no_open(practitioner.id, "RECLASSIFICATION")
    evidence = await _evidence(ctx, data.get("documentIds"), "documentIds", required=True)
    return await _create(ctx, "RECLASSIFICATION", practitioner,
                         fee=fees.classification_fee(target_rank,
                                                     await settings.fee_schedule()),
                         evidence=evidence, data={
                             "from_rank": practitioner.rank, "rank": target_rank,
                             "from_specialty": practitioner.specialty,
                             "specialty": target_specialty,
                             "note": str(data.get("note") or "")[:1000]})


async def set_classification_rank(ctx: Caller, application_id, rank: str) -> Application:
    """A reviewer confirms or changes the rank a (re)classification application proposes,
    before deciding it. Audited; never on one's own application; only while it waits for
    or is under review (a conditional write, so a decision made meanwhile wins)."""
    reviewer = require_role(ctx, "REVIEWER", "ADMIN")
    wanted = as_uuid(application_id)
    row = await Application.get_or_none(id=wanted) if wanted else None
    if row is None or row.kind not in ("CLASSIFICATION", "RECLASSIFICATION"):
        raise DomainError("NOT_FOUND", "applicationId")
    if row.applicant_id == reviewer.id:
        raise DomainError("NOT_ALLOWED", None, N_("You cannot decide your own application."))
    category = row.data.get("category") or (await practitioner_for(row)).category
    if not codes.is_rank_of(category, rank):
        raise DomainError("INVALID", "rank", N_("Choose a rank of the category."))
    if rank == row.data.get("rank") and row.status in ("SUBMITTED", "IN_REVIEW"):
        return row  # confirmed as proposed: nothing changes, nothing to audit
    async with in_transaction():
        changed = await Application.filter(id=row.id, status__in=("SUBMITTED", "IN_REVIEW")) \
            .update(data={**row.data, "rank": rank})
        if changed != 1:
            current = await Application.get(id=row.id)
            raise DomainError("INVALID_STATE", None, N_(
                "This application is %(status)s: its rank cannot be changed now."),
                status=current.status)
        await audit.record("classification.rank_set", actor=reviewer, ip=ctx.ip,
                           target_type="application", target_id=row.id,
                           proposed=row.data.get("rank"), rank=rank)
    return await Application.get(id=row.id)


async def cancel(ctx: Caller, application_id: str) -> Application:
    """Before review only. A paid application cancelled is refunded on request."""
    account = require_account(ctx)
    application = await lifecycle.mine(account.id, application_id)
    async with in_transaction():
        await lifecycle.transition(application, "CANCELLED", actor_id=account.id,
                                      actor_kind="APPLICANT", reason=details.CANCELLED_BY_APPLICANT)
        await Payment.filter(application_id=application.id, status="INITIATED") \
            .update(status="EXPIRED")
        await notify_status(ctx.settings, application)
    return application


async def request_refund(ctx: Caller, application_id: str) -> Payment:
    account = require_account(ctx)
    application = await lifecycle.mine(account.id, application_id)
    if application.status != "CANCELLED":
        raise DomainError("INVALID_STATE", None, N_(
            "A refund is for an application cancelled before review. Cancel it first."))
    if await ApplicationEvent.exists(application_id=application.id,
                                     to_status__in=("IN_REVIEW", "RETURNED")):
        raise DomainError("INVALID_STATE", None, N_(
            "This application was cancelled after a reviewer had taken it up: its fee is not "
            "refunded."))
    payment = await Payment.get_or_none(application_id=application.id, status="PAID")
    if payment is None:
        raise DomainError("INVALID_STATE", None, N_("Nothing was paid for this application."))
    asked = await Payment.filter(id=payment.id, refund_status="").update(
        refund_status="REQUESTED", refund_requested_at=clock.now())
    if asked != 1:
        raise DomainError("INVALID_STATE", None, N_("A refund was already requested."))
    return await Payment.get(id=payment.id)


async def practitioner_for(application: Application) -> Practitioner:
    return await Practitioner.get(id=application.practitioner_id)


async def start_record(ctx: Caller, data: dict) -> Practitioner:
    """A practitioner new to the regulator creates their record, to apply for
    classification. It has no rank until classification is approved."""
    account = require_account(ctx)
    if await Practitioner.exists(account_id=account.id):
        raise DomainError("INVALID_STATE", None, N_("Your account already has a record."))
    problems = Problems()
    values: dict = {}
    for field, validate in (("firstNameAr", validate_arabic_name_part),
                            ("familyNameAr", validate_arabic_name_part),
                            ("firstNameEn", validate_latin_name_part),
                            ("familyNameEn", validate_latin_name_part)):
        try:
            values[field] = validate(str(data.get(field) or ""))
        except ValueError as error:
            problems.add(str(error) if str(error) in ("REQUIRED", "INVALID") else "INVALID",
                         field)
    born = parse_date(data.get("dateOfBirth"), "dateOfBirth", problems)
    if born:
        try:
            validate_birth_date(born, clock.today())
        except ValueError as error:
            problems.add(str(error), "dateOfBirth", N_(
                "A practitioner is at least 17 years old; check the date."))
    gender = str(data.get("gender") or "")
    if gender not in ("M", "F"):
        problems.add("REQUIRED", "gender")
    nationality = _country(data, "nationality", problems)
    identity_type = str(data.get("identityType") or "")
    identity = ""
    try:
        identity = validate_identity(identity_type, str(data.get("identityNumber") or ""))
    except ValueError as error:
        problems.add(str(error) if str(error) in ("REQUIRED", "MISMATCH") else "INVALID",
                     "identityNumber")
    category, specialty = _category_and_specialty(data, problems)
    problems.raise_if_any()
    if await Practitioner.exists(identity_type=identity_type, identity_number=identity):
        raise DomainError("TAKEN", "identityNumber", N_(
            "A record with this identity number exists: link it to your account instead."))
    async with in_transaction():
        practitioner = await Practitioner.create(
            account=account, identity_type=identity_type, identity_number=identity,
            first_name_ar=values["firstNameAr"], family_name_ar=values["familyNameAr"],
            first_name_en=values["firstNameEn"], family_name_en=values["familyNameEn"],
            date_of_birth=born, gender=gender, nationality=nationality, category=category,
            specialty=specialty, rank="", claimed_at=clock.now())
        await record_change(practitioner.id, account.id, "RECORD_CREATED", {})
    return practitioner
