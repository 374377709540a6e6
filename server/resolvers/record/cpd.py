"""CPD activities submitted for recognition: each creates its CPD_RECOGNITION application."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from server import clock
from server.domain import cpd as cpd_rules
from server.domain import fees
from server.domain.errors import DomainError, Problems
from server.domain.identity import normalize_digits
from server.i18n import N_
from server.models.practitioners import CpdActivity
from server.resolvers.kernel import documents, lifecycle, settings
from server.resolvers.kernel.access import require_practitioner
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.inputs import parse_date
from server.resolvers.kernel.record_history import record_change
from server.resolvers.kernel.status_notices import notify_status
from server.resolvers.record.entries import _text

MAX_HOURS = Decimal(200)


def _hours(value, problems: Problems) -> Decimal | None:
    text = normalize_digits(str(value if value is not None else "")).strip()
    if not text:
        problems.add("REQUIRED", "hours")
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        problems.add("INVALID", "hours", N_("Enter the hours as a number, like 1.5."))
        return None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS \
            or (hours * 4) != (hours * 4).to_integral_value():
        problems.add("INVALID", "hours", N_(
            "Enter between 0.25 and 200 hours, in quarters of an hour."))
        return None
    return hours


def _shown(hours: Decimal) -> str:
    """95 for 95.00, 1.5 for 1.50 (never 1E+2)."""
    return f"{hours.quantize(Decimal(1))}" if hours == hours.to_integral_value() \
        else f"{hours.normalize():f}"


def _activity_type(data: dict, problems: Problems) -> str | None:
    """Optional over the API (clients written before it still work, unchecked); the page
    always asks for it."""
    if data.get("activityType") is None:
        return None
    code = str(data["activityType"])
    if code not in cpd_rules.ACTIVITY_TYPES:
        problems.add("REQUIRED" if not code else "INVALID", "activityType", N_(
            "Choose the type of activity."))
        return ""
    return code


async def submit_activity(ctx: Caller, data: dict) -> tuple[CpdActivity, object]:
    practitioner = await require_practitioner(ctx)
    problems = Problems()
    title = _text(data, "title", problems)
    provider = _text(data, "provider", problems)
    accreditation = _text(data, "accreditationNumber", problems, required=False)
    hours = _hours(data.get("hours"), problems)
    activity_type = _activity_type(data, problems)
    if hours is not None and activity_type and data.get("confirmHours") is not True:
        usual = cpd_rules.implausible_hours(activity_type, hours)
        if usual is not None:
            problems.add("INVALID", "confirmHours", N_(
                "%(hours)s hours is more than one activity of this type usually gives (up "
                "to %(usual)s). Check the hours; if the certificate gives them, confirm "
                "them."), hours=_shown(hours), usual=usual)
    completed = parse_date(data.get("completedOn"), "completedOn", problems)
    if completed and completed > clock.today():
        problems.add("INVALID", "completedOn", N_("The date cannot be in the future."))
    certificate = None
    if not data.get("certificateId"):
        problems.add("REQUIRED", "certificateId", N_("Attach the certificate."))
    else:
        try:
            [certificate] = await documents.owned_documents(
                ctx.account, [str(data["certificateId"])], "certificateId")
        except DomainError:
            problems.add("NOT_FOUND", "certificateId", N_("Upload the certificate again."))
    problems.raise_if_any()
    fee = fees.fee_for("CPD_RECOGNITION", schedule=await settings.fee_schedule())
    async with in_transaction():
        application = await lifecycle.create(
            "CPD_RECOGNITION", ctx.account, practitioner,
            status="AWAITING_PAYMENT" if fee else "SUBMITTED", fee=fee or None,
            data={"title": title, "hours": str(hours), "activity_type": activity_type,
                  "hours_confirmed": data.get("confirmHours") is True},
            document_ids=[(certificate.id, "CPD_CERTIFICATE")])
        activity = await CpdActivity.create(
            practitioner=practitioner, title=title, provider=provider,
            accreditation_number=accreditation, hours=hours, completed_on=completed,
            certificate_id=certificate.id, application=application)
        await documents.mark_attached([certificate.id])
        await record_change(practitioner.id, ctx.account.id, "CPD_SUBMITTED",
                            {"title": title, "hours": str(hours)}, application.id)
        await notify_status(ctx.settings, application)
    return activity, application
