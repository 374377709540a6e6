"""Renewing a registration: start, answer, attach, check what is missing, submit. Every step
saves as it goes; SubmitRenewal freezes a snapshot and computes the fee."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tortoise.transactions import in_transaction

from server import clock
from server.domain import applications as rules
from server.domain import codes, fees
from server.domain import renewal as renewal_rules
from server.domain.errors import DomainError, ErrorCode, Problem, Problems
from server.i18n import N_
from server.models.applications import Application, ApplicationDocument
from server.models.practitioners import Experience, License, Practitioner, Registration
from server.resolvers.kernel import documents, lifecycle, settings
from server.resolvers.kernel.access import my_practitioner, require_practitioner
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.snapshot import freeze
from server.resolvers.kernel.status_notices import notify_status
from server.resolvers.record.own_record import cpd_summaries

OPEN_STATUSES = ("DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "IN_REVIEW", "RETURNED")
EDITABLE = ("DRAFT", "RETURNED")

MISSING_MESSAGES = {
    "QUESTIONS": N_("Answer the eligibility questions."),
    "CURRENT_EXPERIENCE": N_("Add where you work now, with its experience certificate."),
    "EMPLOYER_LETTER": N_("Attach a letter from your employer issued in the last 3 months."),
    "MEDICAL_FITNESS_REPORT": N_("Attach a medical fitness report: it is needed from the "
                                 "age of 65."),
    "BLS_CERTIFICATE": N_("Attach your Basic Life Support (BLS) certificate."),
    "EVIDENCE": N_("Attach documents about the disciplinary action or licence restriction."),
    "LICENSE_DOCUMENT": N_("Attach the scanned licence for each licence you hold elsewhere."),
    "CPD_HOURS": N_("You need %(missing)s more CPD hours: %(earned)s of %(required)s are "
                    "recognised for this period."),
}


@dataclass(frozen=True)
class Missing:
    code: str
    params: dict

    @property
    def msgid(self) -> str:
        return MISSING_MESSAGES[self.code]


async def current_questions() -> tuple[renewal_rules.Question, ...]:
    """The eligibility questions in force: an admin's set, or the defaults."""
    return await settings.renewal_questions()


def refusal(registration: Registration | None) -> DomainError | None:
    """Why a renewal cannot start now, or None when it can."""
    if registration is None:
        return DomainError("INVALID_STATE", None, N_(
            "You have no registration to renew. Apply for your first registration instead."))
    if registration.suspended:
        return DomainError("NOT_ALLOWED", None, N_(
            "Your registration is suspended: it cannot be renewed. Contact the regulator."))
    if not rules.renewal_window_open(registration.valid_until, clock.today()):
        opens = rules.renewal_opens_on(registration.valid_until)
        return DomainError("INVALID_STATE", None, N_(
            "Renewal opens on %(date)s, 90 days before your registration expires."),
            date=opens.isoformat())
    return None


@dataclass(frozen=True)
class Choice:
    """A period the practitioner may renew for: its fee and the registration's new end."""

    years: int
    fee: Decimal
    valid_until: dt.date


async def choices(ctx: Caller) -> tuple[DomainError | None, list[Choice]]:
    """What the renewal's first page offers: the refusal if it cannot start now, and each
    period with the fee SubmitRenewal would charge and the end it would give."""
    practitioner = await my_practitioner(ctx)
    if practitioner is None:
        return DomainError("INVALID_STATE", None, N_(
            "Link your account to your registration record first.")), []
    registration = await Registration.get_or_none(practitioner_id=practitioner.id)
    if registration is None:
        return refusal(registration), []
    schedule = await settings.fee_schedule()
    return refusal(registration), [
        Choice(years, fees.renewal_fee(practitioner.rank, years, schedule),
               rules.renewal_period(registration.valid_until, clock.today(), years)[1])
        for years in rules.RENEWAL_YEARS]


async def start(ctx: Caller, years: int | None) -> Application:
    practitioner = await require_practitioner(ctx)
    if years not in rules.RENEWAL_YEARS:
        raise DomainError("INVALID", "years", N_("Choose 1, 3 or 5 years."))
    registration = await Registration.get_or_none(practitioner_id=practitioner.id)
    refused = refusal(registration)
    if refused is not None:
        raise refused
    async with in_transaction():
        await lifecycle.lock_practitioner(practitioner.id)  # two clicks, one renewal
        if await Application.exists(practitioner_id=practitioner.id, kind="RENEWAL",
                                    status__in=OPEN_STATUSES):
            raise DomainError("INVALID_STATE", None, N_(
                "You already have a renewal in progress. Continue it from your dashboard."))
        return await lifecycle.create("RENEWAL", ctx.account, practitioner, years=years,
                                         data={"answers": {}})


async def mine(ctx: Caller, renewal_id: str) -> Application:
    found = await lifecycle.mine(ctx.account.id if ctx.account else None, renewal_id)
    if found.kind != "RENEWAL":
        raise DomainError("NOT_FOUND", "renewalId")
    return found


async def answer(ctx: Caller, renewal_id: str, answers: list[dict]) -> Application:
    await require_practitioner(ctx)
    renewal = await mine(ctx, renewal_id)
    if renewal.status not in EDITABLE:
        raise DomainError("INVALID_STATE", None, N_(
            "This renewal is %(status)s: its answers can no longer change."),
            status=renewal.status)
    known = {q.code for q in await current_questions()}
    given = dict(renewal.data.get("answers") or {})
    for item in answers:
        code, value = str(item.get("code") or ""), str(item.get("answer") or "").upper()
        if code not in known:
            raise DomainError("INVALID", "answers", N_("Unknown question: %(question)s."),
                              question=code)
        if value not in renewal_rules.ANSWERS:
            raise DomainError("INVALID", "answers", N_("Answer yes or no."))
        given[code] = value
    data = {**renewal.data, "answers": given}
    changed = await Application.filter(id=renewal.id, status=renewal.status).update(data=data)
    if changed != 1:
        raise DomainError("INVALID_STATE", None, N_("This renewal changed meanwhile."))
    renewal.data = data
    return renewal


async def attach_documents(ctx: Caller, application_id: str, items: list[dict]) -> Application:
    """For any application not yet submitted: documents by kind. A document of a kind
    already attached replaces it."""
    account = ctx.account
    application = await lifecycle.mine(account.id if account else None, application_id)
    if application.status not in EDITABLE:
        raise DomainError("INVALID_STATE", None, N_(
            "Documents can only be added before the application is submitted."))
    pairs = []
    issued: dict[str, str] = {}
    problems = Problems()
    for index, item in enumerate(items):
        kind = str(item.get("kind") or "")
        if not codes.is_code("document_kind", kind):
            raise DomainError("INVALID", "documents", N_("Unknown document kind: %(kind)s."),
                              kind=kind)
        pairs.append((kind, str(item.get("documentId") or item.get("document_id") or "")))
        on = item.get("issuedOn")
        if on is not None:
            field = f"documents.{index}.issuedOn"
            if on > clock.today():
                problems.add("INVALID", field, N_("The date cannot be in the future."))
            elif kind == "EMPLOYER_LETTER" and \
                    clock.today() - on > renewal_rules.EMPLOYER_LETTER_MAX_AGE:
                problems.add("INVALID", field, N_(
                    "The letter must be issued in the last 3 months. Ask your employer for "
                    "a new one."))
            issued[kind] = on.isoformat()
    problems.raise_if_any()
    found = await documents.owned_documents(account, [d for _, d in pairs], "documents")
    by_id = {str(d.id): d for d in found}
    async with in_transaction():
        for kind, document_id in pairs:
            await ApplicationDocument.filter(application_id=application.id, kind=kind).delete()
            await ApplicationDocument.create(application=application, kind=kind,
                                             document=by_id[document_id])
        dates = {k: v for k, v in (application.data.get("issued_on") or {}).items()
                 if k not in {kind for kind, _ in pairs}}
        dates.update(issued)
        application.data = {**application.data, "issued_on": dates}
        await Application.filter(id=application.id).update(data=application.data)
        await documents.mark_attached(list(by_id))
    return application


async def missing(renewal: Application, practitioner: Practitioner | None = None
                  ) -> list[Missing]:
    """Everything still needed before the renewal can be submitted, in words."""
    practitioner = practitioner or await Practitioner.get(id=renewal.practitioner_id)
    found: list[Missing] = []
    answers = renewal.data.get("answers") or {}
    in_force = await current_questions()
    if any(q.code not in answers for q in in_force):
        found.append(Missing("QUESTIONS", {}))
    experiences = await Experience.filter(practitioner_id=practitioner.id, end_date=None)
    if not any(e.certificate_id for e in experiences):
        found.append(Missing("CURRENT_EXPERIENCE", {}))
    attached = {row.kind: row for row in await ApplicationDocument.filter(
        application_id=renewal.id).select_related("document")}
    now = clock.now()
    issued = renewal.data.get("issued_on") or {}
    for kind in renewal_rules.required_documents(in_force, answers,
                                                 practitioner.date_of_birth, clock.today()):
        row = attached.get(kind)
        too_old = False
        if row is not None and kind == "EMPLOYER_LETTER":
            # The date on the letter when given, else the day it was uploaded.
            age = clock.today() - dt.date.fromisoformat(issued[kind]) if issued.get(kind) \
                else now - row.document.created_at
            too_old = age > renewal_rules.EMPLOYER_LETTER_MAX_AGE
        if row is None or too_old:
            found.append(Missing(kind, {}))
    if await License.filter(practitioner_id=practitioner.id, document_id=None).exists():
        found.append(Missing("LICENSE_DOCUMENT", {}))
    registration = await Registration.get(practitioner_id=practitioner.id)
    summary = (await cpd_summaries([practitioner], {practitioner.id: registration},
                                   clock.today()))[practitioner.id]
    if not summary.met:
        found.append(Missing("CPD_HOURS", {
            "missing": _hours(summary.missing), "earned": _hours(summary.earned),
            "required": summary.required}))
    return found


def _hours(value) -> str:
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


async def attached(renewal: Application) -> list[ApplicationDocument]:
    """The documents attached to the renewal, each with its file's name."""
    return await ApplicationDocument.filter(application_id=renewal.id) \
        .select_related("document").order_by("kind")


async def projected_valid_until(renewal: Application) -> dt.date | None:
    """The registration's end if the renewal were approved today."""
    registration = await Registration.get_or_none(practitioner_id=renewal.practitioner_id)
    if registration is None or not renewal.years:
        return None
    return rules.renewal_period(registration.valid_until, clock.today(), renewal.years)[1]


async def projected_fee(renewal: Application, rank: str):
    if renewal.fee is not None:
        return renewal.fee
    return fees.renewal_fee(rank, renewal.years, schedule=await settings.fee_schedule())


async def submit(ctx: Caller, renewal_id: str) -> Application:
    practitioner = await require_practitioner(ctx)
    renewal = await mine(ctx, renewal_id)
    if renewal.status not in EDITABLE:
        raise DomainError("INVALID_STATE", None, N_(
            "This renewal is %(status)s: it was already submitted."), status=renewal.status)
    gaps = await missing(renewal, practitioner)
    if gaps:
        raise DomainError(problems=[Problem(code=ErrorCode.INCOMPLETE, field=None,
                                            message=gap.msgid, params=gap.params)
                                    for gap in gaps])
    answers = renewal.data.get("answers") or {}
    registration = await Registration.get(practitioner_id=practitioner.id)
    snapshot = await freeze(practitioner, registration, answers)
    fields = {"snapshot": snapshot,
              "auto_approvable": not renewal_rules.risky(await current_questions(), answers)}
    async with in_transaction():
        if renewal.status == "RETURNED":  # corrected: back to the reviewers, no second fee
            moved = await lifecycle.transition(renewal, "SUBMITTED",
                                                  actor_id=ctx.account.id,
                                                  actor_kind="APPLICANT", **fields)
        else:
            fee = fees.renewal_fee(practitioner.rank, renewal.years,
                                   schedule=await settings.fee_schedule())
            moved = await lifecycle.transition(renewal, "AWAITING_PAYMENT",
                                                  actor_id=ctx.account.id,
                                                  actor_kind="APPLICANT", fee=fee, **fields)
        await notify_status(ctx.settings, moved)
    return moved


