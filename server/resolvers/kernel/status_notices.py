"""What the applicant hears when an application changes status, or a payment fails: an
email and an SMS in their language, queued in the outbox inside the transaction of the
change (so they go out once the change commits, never for a change that rolled back).

Every status an application can reach from the applicant's or anyone's action is covered:
AWAITING_PAYMENT, SUBMITTED, IN_REVIEW, RETURNED, APPROVED, REJECTED, CANCELLED. A draft is
the applicant's own unsent work: nothing is sent for it."""

from __future__ import annotations

from server.config import Settings
from server.i18n import N_, gettext
from server.models.accounts import Account
from server.models.applications import Application
from server.resolvers.kernel import notify

STATUS_EMAIL = {
    "SUBMITTED": N_("Your application is received and waiting for review."),
    "IN_REVIEW": N_("A reviewer is looking at your application."),
    "APPROVED": N_("Your application is approved."),
    "REJECTED": N_("Your application was not approved."),
    "RETURNED": N_("Your application was returned to you for correction."),
    "AWAITING_PAYMENT": N_("Your application is waiting for the fee to be paid."),
    "CANCELLED": N_("Your application is cancelled."),
}

STATUS_SMS = {
    "SUBMITTED": N_("Sijil: your application is received and waiting for review."),
    "IN_REVIEW": N_("Sijil: a reviewer is looking at your application."),
    "APPROVED": N_("Sijil: your application is approved."),
    "REJECTED": N_("Sijil: your application was not approved. See the reason in Sijil."),
    "RETURNED": N_("Sijil: your application was returned for correction. See what to fix "
                   "in Sijil."),
    "AWAITING_PAYMENT": N_("Sijil: your application is waiting for the fee to be paid."),
    "CANCELLED": N_("Sijil: your application is cancelled."),
}

PAYMENT_FAILED_EMAIL = N_("Your payment did not go through, and nothing was taken. Pay "
                          "again with the same or another method.")
PAYMENT_FAILED_SMS = N_("Sijil: your payment did not go through. Pay again with the same or "
                        "another method.")


async def _applicant(application: Application) -> Account:
    if isinstance(application.applicant, Account):
        return application.applicant
    return await Account.get(id=application.applicant_id)


async def notify_status(settings: Settings, application: Application) -> None:
    """Call inside the transaction that moved the application."""
    if application.status not in STATUS_EMAIL:
        return
    applicant = await _applicant(application)
    key = f"status:{application.id}:{application.status}:{application.updated_at}"
    await notify.email(settings, applicant.email, applicant.language, "application_status",
                       dedupe_key=key, name=applicant.first_name, kind=application.kind,
                       status=application.status, reason=application.decision_reason,
                       message=gettext(applicant.language, STATUS_EMAIL[application.status]),
                       application_id=str(application.id), reference=application.reference)
    if applicant.mobile:
        await notify.sms(applicant.mobile, applicant.language,
                         STATUS_SMS[application.status], dedupe_key=f"sms:{key}",
                         reference=application.reference)


async def notify_payment_failed(settings: Settings, application: Application,
                                payment_id) -> None:
    """A payment the gateway reported FAILED or EXPIRED; the application still awaits one."""
    applicant = await _applicant(application)
    key = f"payment-failed:{payment_id}"
    await notify.email(settings, applicant.email, applicant.language, "application_status",
                       dedupe_key=key, name=applicant.first_name, kind=application.kind,
                       status=application.status, reason="",
                       message=gettext(applicant.language, PAYMENT_FAILED_EMAIL),
                       application_id=str(application.id), reference=application.reference)
    if applicant.mobile:
        await notify.sms(applicant.mobile, applicant.language, PAYMENT_FAILED_SMS,
                         dedupe_key=f"sms:{key}", reference=application.reference)
