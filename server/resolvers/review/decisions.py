"""Deciding applications: by the system (a renewal that meets every rule is approved the
moment it is paid) or by a reviewer (approve, reject, or return for correction). What an
approval does depends on the kind; every decision notifies the applicant.

Four eyes: a reviewer's approval that changes an identity number or a birth date, or that
grants a Consultant rank, does not take effect at once. The application stays IN_REVIEW,
held by that reviewer, marked `data["held"]`, and a request waits for a second admin
(server/resolvers/admin/approvals.py); the applicant and the reviewer are shown that it
waits. Approved, the reviewer's decision is done as it would have been (the change, the
history, the emails). Refused, nothing changes on the record and the application goes back
to the reviewer who approved it, with the admin's reason as a staff note: a second check
stops the change, but the decision the applicant hears, and can act on (correct and send
again, or appeal), stays the reviewer's, who now returns or rejects it with a reason
written for the applicant, or approves it again after, say, a missing document arrived."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from server import clock
from server.config import Settings
from server.domain import applications as rules
from server.domain.errors import DomainError
from server.domain.registry import registration_status
from server.i18n import N_, gettext
from server.models.accounts import Account
from server.models.applications import Application
from server.models.practitioners import CpdActivity, Practitioner, Qualification, Registration
from server.models.workflow import ApplicationNote
from server.resolvers.employers import events as employer_events
from server.resolvers.kernel import approval_requests as approvals
from server.resolvers.kernel import audit, lifecycle, notify
from server.resolvers.kernel.access import require_role
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.kernel.record_history import record_change
from server.resolvers.kernel.settings import auto_approve_renewals
from server.resolvers.kernel.status_notices import notify_status
from server.resolvers.record import personal_data
from server.resolvers.register.numbers import next_registration_number
from server.resolvers.services.certificates import issue

DECISIONS = {"APPROVE": "APPROVED", "REJECT": "REJECTED", "RETURN": "RETURNED"}
# A held application is claimed by its reviewer until the second admin decides.
HELD_CLAIM = dt.timedelta(days=3650)
# A refused one is the reviewer's again for a usual claim (queue.CLAIM_FOR; queue.py
# imports this module, not the other way round).
BACK_TO_REVIEWER_FOR = dt.timedelta(minutes=30)
IDENTITY_FIELDS = frozenset({"identityNumber", "dateOfBirth"})
CONSULTANT_RANKS = frozenset({"CONSULTANT", "CONSULTANT_PHARMACIST"})


async def after_payment(settings: Settings, application: Application) -> None:
    """Inside the payment's transaction, once the application is SUBMITTED."""
    if await _approvable_at_once(application):
        await _decide(settings, application, "APPROVED", actor_id=None, actor_kind="SYSTEM",
                      reason="")
        return
    await notify_status(settings, application)


async def _approvable_at_once(application: Application) -> bool:
    """A renewal that met every rule with no risk answer; a good-standing certificate for
    an active registration with no sanction. Anything else waits for a reviewer."""
    if application.kind == "RENEWAL":
        return application.auto_approvable and await auto_approve_renewals()
    if application.kind == "GOOD_STANDING":
        practitioner = await Practitioner.get(id=application.practitioner_id)
        registration = await Registration.get_or_none(practitioner_id=practitioner.id)
        return registration is not None and not practitioner.sanctioned and \
            registration_status(registration.valid_until, registration.suspended,
                                clock.today()) == "ACTIVE"
    return False


async def _decide(settings: Settings, application: Application, to: str, *, actor_id,
                  actor_kind: str, reason: str, **extra) -> Application:
    if application.status == "SUBMITTED" and actor_kind == "REVIEWER":
        await lifecycle.transition(application, "IN_REVIEW", actor_id=actor_id,
                                      actor_kind="REVIEWER")
    await lifecycle.transition(
        application, to, actor_id=actor_id, actor_kind=actor_kind, reason=reason,
        decided_at=clock.now(), decided_by_id=actor_id, decision_reason=reason)
    if to == "APPROVED":
        effect = EFFECTS.get(application.kind)
        if effect is not None:
            await effect(settings, application, actor_id, **extra)
    elif to == "REJECTED" and application.kind == "CPD_RECOGNITION":
        await CpdActivity.filter(application_id=application.id).update(status="REJECTED")
    elif to == "REJECTED" and application.kind == "QUALIFICATION_EVALUATION":
        await Qualification.filter(id=application.data["qualification_id"]).update(
            status="REJECTED")
    await notify_status(settings, application)
    return application


async def apply_decision(ctx: Caller, application_id: str, decision: str, reason: str,
                         recognised_hours=None) -> Application:
    """A reviewer's decision. Two reviewers deciding at once: one wins, the other is told."""
    reviewer = require_role(ctx, "REVIEWER", "ADMIN")
    to = DECISIONS.get(decision or "")
    if to is None:
        raise DomainError("INVALID", "decision", N_("Choose approve, reject or return."))
    reason = (reason or "").strip()
    if to in rules.REASON_REQUIRED and not reason:
        raise DomainError("REQUIRED", "reason", N_("Give the reason: the applicant sees it."))
    wanted = as_uuid(application_id)
    application = await Application.get_or_none(id=wanted) if wanted else None
    if application is None:
        raise DomainError("NOT_FOUND", "applicationId")
    if application.applicant_id == reviewer.id:
        raise DomainError("NOT_ALLOWED", None, N_("You cannot decide your own application."))
    if application.status not in ("SUBMITTED", "IN_REVIEW"):
        raise DomainError("INVALID_STATE", None, N_(
            "This application is %(status)s: it cannot be decided now."),
            status=application.status)
    if is_held(application):
        raise DomainError("INVALID_STATE", None, AWAITING)
    if to == "APPROVED":
        action = await held_action(application)
        if action is not None:
            async with in_transaction():
                await _hold(ctx, reviewer, application, action, reason)
            return application
    extra = {}
    if to == "APPROVED" and application.kind == "CPD_RECOGNITION" and \
            recognised_hours is not None:
        hours = extra["recognised_hours"] = _hours(recognised_hours)
        claimed = (await CpdActivity.get(application_id=application.id)).hours
        if hours > claimed:
            raise DomainError("INVALID", "recognisedHours", N_(
                "At most the %(hours)s hours claimed can be recognised."), hours=claimed)
        if hours < claimed and not reason:
            raise DomainError("REQUIRED", "reason", N_(
                "Say why fewer hours are recognised than the %(hours)s claimed: the "
                "applicant sees it."), hours=claimed)
    async with in_transaction():
        await _decide(ctx.settings, application, to, actor_id=reviewer.id,
                      actor_kind="REVIEWER", reason=reason, **extra)
        await audit.record(f"decision.{to.lower()}", actor=reviewer, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           kind=application.kind, reason=reason)
    return application


AWAITING = N_("Approved by the reviewer: waiting for a second approval by an admin.")


def is_held(application: Application) -> bool:
    return bool((application.data or {}).get("held"))


async def held_action(application: Application) -> str | None:
    """The four-eyes action an approval of this application needs, or None."""
    data = application.data or {}
    if application.kind == "PERSONAL_DATA_CHANGE":
        return approvals.PERSONAL_DATA_CHANGE \
            if IDENTITY_FIELDS & set(data.get("changes", {})) else None
    if application.kind in ("CLASSIFICATION", "RECLASSIFICATION") and \
            data.get("rank") in CONSULTANT_RANKS:
        current = await Practitioner.get(id=application.practitioner_id)
        return approvals.CONSULTANT_RANK if current.rank != data["rank"] else None
    return None


async def _summary(application: Application, action: str) -> tuple[str, dict]:
    """Who, and from → to, in both languages (the request's summary is read by admins
    of either language; the page labels the fields)."""
    practitioner = await Practitioner.get(id=application.practitioner_id)
    who = (f"{practitioner.first_name_en} {practitioner.family_name_en} / "
           f"{practitioner.first_name_ar} {practitioner.family_name_ar}")
    data = application.data or {}
    if action == approvals.PERSONAL_DATA_CHANGE:
        before = data.get("before", {})
        changes = {f: v for f, v in data.get("changes", {}).items() if f in IDENTITY_FIELDS}
        labels = {"identityNumber": "Identity number / رقم الهوية",
                  "dateOfBirth": "Date of birth / تاريخ الميلاد"}
        parts = [f"{labels[f]}: {before.get(f, '')} → {v}" for f, v in sorted(changes.items())]
        return (f"{application.reference} · {who} · " + "; ".join(parts),
                {"changes": {f: {"from": str(before.get(f, "")), "to": str(v)}
                             for f, v in changes.items()}})
    return (f"{application.reference} · {who} · Rank / الرتبة: {practitioner.rank} → "
            f"{data['rank']}", {"changes": {"rank": {"from": practitioner.rank,
                                                     "to": data["rank"]}}})


async def _hold(ctx: Caller, reviewer, application: Application, action: str,
                reason: str) -> None:
    """Inside the caller's transaction: IN_REVIEW, claimed by the reviewer until the second
    admin decides, and the request for that admin."""
    if await approvals.pending_for(action, str(application.id)):
        raise DomainError("INVALID_STATE", None, AWAITING)
    if application.status == "SUBMITTED":
        await lifecycle.transition(application, "IN_REVIEW", actor_id=reviewer.id,
                                   actor_kind="REVIEWER")
    summary, shown = await _summary(application, action)
    request = await approvals.ask(ctx, action, {
        "application_id": str(application.id), "reference": application.reference or "",
        "kind": application.kind, "reviewer_id": str(reviewer.id), "reason": reason,
        **shown}, summary, target=str(application.id))
    data = {**(application.data or {}), "held": {
        "request_id": str(request.id), "action": action, "reviewer_id": str(reviewer.id),
        "reason": reason, "at": clock.now().isoformat()}}
    moved = await Application.filter(id=application.id, status="IN_REVIEW").update(
        data=data, claimed_by_id=reviewer.id, claimed_until=clock.now() + HELD_CLAIM)
    if moved != 1:
        raise DomainError("INVALID_STATE", None, N_(
            "This application was changed meanwhile: reload the page."))
    application.data, application.claimed_by_id = data, reviewer.id
    await audit.record("decision.held", actor=reviewer, ip=ctx.ip,
                       target_type="application", target_id=application.id,
                       kind=application.kind, asks=action, request=str(request.id),
                       reason=reason)


async def _held_application(request) -> Application:
    application = await Application.get_or_none(id=request.params["application_id"])
    if application is None or application.status != "IN_REVIEW" or \
            (application.data or {}).get("held", {}).get("request_id") != str(request.id):
        raise DomainError("INVALID_STATE", "requestId", N_(
            "This application is no longer waiting for this approval."))
    return application


async def complete_held(ctx: Caller, request) -> Application:
    """The second admin approved: the reviewer's approval is done, as the reviewer's (the
    admin's part is on the request and in the audit log)."""
    admin = require_role(ctx, "ADMIN")
    async with in_transaction():
        application = await _held_application(request)
        data = {k: v for k, v in application.data.items() if k != "held"}
        await Application.filter(id=application.id).update(data=data)
        application.data = data
        held = request.params
        reviewer_id = as_uuid(held["reviewer_id"])
        await _decide(ctx.settings, application, "APPROVED", actor_id=reviewer_id,
                      actor_kind="REVIEWER", reason=held.get("reason", ""))
        await audit.record("decision.approved", actor=admin, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           kind=application.kind, reason=held.get("reason", ""),
                           reviewer=held["reviewer_id"], request=str(request.id))
    return application


async def give_back_held(ctx: Caller, request, reason: str) -> Application:
    """The second admin refused: the record is left as it is; the application is the
    reviewer's again (claimed by them for the usual time), with the admin's reason as a
    staff note (never shown to the applicant)."""
    admin = require_role(ctx, "ADMIN")
    async with in_transaction():
        application = await _held_application(request)
        data = {k: v for k, v in application.data.items() if k != "held"}
        reviewer_id = as_uuid(request.params["reviewer_id"])
        await Application.filter(id=application.id).update(
            data=data, claimed_by_id=reviewer_id, claimed_until=clock.now() + BACK_TO_REVIEWER_FOR)
        application.data = data
        await ApplicationNote.create(application_id=application.id, author_id=admin.id,
                                     body=gettext_both(REFUSED_NOTE, reason=reason))
        await audit.record("decision.second_approval_refused", actor=admin, ip=ctx.ip,
                           target_type="application", target_id=application.id,
                           kind=application.kind, reason=reason,
                           reviewer=request.params["reviewer_id"], request=str(request.id))
    return application


REFUSED_NOTE = N_("A second admin refused to confirm the approval of this application, so "
                  "nothing changed on the record. Their reason: %(reason)s. Decide it "
                  "again: return it to the applicant or reject it with a reason they can "
                  "act on, or approve it again once what was missing is here.")


def gettext_both(message: str, **values) -> str:
    """A staff note is read by staff of either language: Arabic, then English."""
    return "\n\n".join(gettext(lang, message, **values) for lang in ("ar", "en"))


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except InvalidOperation as error:
        raise DomainError("INVALID", "recognisedHours") from error
    if not hours.is_finite() or hours < 0:
        raise DomainError("INVALID", "recognisedHours")
    return hours


# ------------------------------------------------------------------ what approval does

async def _renewal_approved(settings: Settings, application: Application, actor_id) -> None:
    registration = await Registration.get(practitioner_id=application.practitioner_id)
    valid_from, valid_until = rules.renewal_period(registration.valid_until, clock.today(),
                                                   application.years)
    await Registration.filter(id=registration.id).update(valid_from=valid_from,
                                                         valid_until=valid_until)
    await record_change(application.practitioner_id, actor_id, "REGISTRATION_RENEWED", {
        "before": {"validUntil": registration.valid_until.isoformat()},
        "after": {"validFrom": valid_from.isoformat(), "validUntil": valid_until.isoformat()},
    }, application.id)
    registration.valid_from, registration.valid_until = valid_from, valid_until
    await employer_events.registration_changed(registration, "registration.renewed")
    await _email_card(settings, application, registration.number)


async def _email_card(settings: Settings, application: Application, number: str) -> None:
    applicant = await Account.get(id=application.applicant_id)
    # The worker draws the card when it sends the email: drawing it here would hold the
    # approving transaction (and SQLite's write lock) for the ~0.2 s it takes.
    await notify.email(settings, applicant.email, applicant.language, "registration_card",
                       dedupe_key=f"card:{application.id}", name=applicant.first_name,
                       number=number, first=application.kind == "REGISTRATION",
                       attachments=[{
                           "filename": f"sijil-card-{number}.pdf",
                           "content_type": "application/pdf", "card": number}])


async def _personal_data_approved(settings: Settings, application: Application,
                                  actor_id) -> None:
    await personal_data.apply_approved_change(application, actor_id)


async def _cpd_approved(settings: Settings, application: Application, actor_id,
                        recognised_hours: Decimal | None = None) -> None:
    activity = await CpdActivity.get(application_id=application.id)
    hours = activity.hours if recognised_hours is None else min(recognised_hours,
                                                                 activity.hours)
    await CpdActivity.filter(id=activity.id).update(status="RECOGNISED",
                                                    recognised_hours=hours)
    await record_change(application.practitioner_id, actor_id, "CPD_RECOGNISED",
                        {"title": activity.title, "hours": str(hours)}, application.id)


async def _certificate_approved(settings: Settings, application: Application,
                                actor_id) -> None:
    await issue(settings, application, application.kind, dict(application.data))


async def _qualification_approved(settings: Settings, application: Application,
                                  actor_id) -> None:
    await Qualification.filter(id=application.data["qualification_id"]).update(
        status="RECORDED", verification_outcome="POSITIVE")
    await record_change(application.practitioner_id, actor_id, "QUALIFICATION_ADDED",
                        {"degree": application.data.get("degree", "")}, application.id)


async def _classification_approved(settings: Settings, application: Application,
                                   actor_id) -> None:
    data = application.data
    before = await Practitioner.get(id=application.practitioner_id)
    await Practitioner.filter(id=before.id).update(
        category=data.get("category", before.category),
        specialty=data.get("specialty", before.specialty), rank=data["rank"])
    await Registration.filter(practitioner_id=before.id).update(
        rank=data["rank"], specialty=data.get("specialty", before.specialty))
    await record_change(before.id, actor_id, "RANK_CHANGED", {
        "before": {"rank": before.rank, "specialty": before.specialty},
        "after": {"rank": data["rank"], "specialty": data.get("specialty")}}, application.id)


async def _registration_approved(settings: Settings, application: Application,
                                 actor_id) -> None:
    practitioner = await Practitioner.get(id=application.practitioner_id)
    valid_from = clock.today()
    registration = await Registration.create(
        practitioner=practitioner, number=await next_registration_number(valid_from.year),
        rank=practitioner.rank, specialty=practitioner.specialty, valid_from=valid_from,
        valid_until=rules.registration_valid_until(valid_from, application.years))
    await record_change(practitioner.id, actor_id, "REGISTRATION_GRANTED",
                        {"number": registration.number}, application.id)
    await employer_events.registration_changed(registration, "registration.granted")
    await _email_card(settings, application, registration.number)


EFFECTS = {
    "RENEWAL": _renewal_approved,
    "PERSONAL_DATA_CHANGE": _personal_data_approved,
    "CPD_RECOGNITION": _cpd_approved,
    "GOOD_STANDING": _certificate_approved,
    "TRAINING_CERTIFICATE": _certificate_approved,
    "QUALIFICATION_EVALUATION": _qualification_approved,
    "CLASSIFICATION": _classification_approved,
    "RECLASSIFICATION": _classification_approved,
    "REGISTRATION": _registration_approved,
}
