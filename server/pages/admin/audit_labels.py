"""What the audit log's codes mean, in the reader's language: each action, each detail's
key, and where an entry's target can be opened. An action this table does not know yet is
shown as its code, so a new one is never hidden."""

from __future__ import annotations

from server.i18n import N_

ACTION_NAMES = {
    "account.email_changed": N_("Changed their email address"),
    "account.email_verified": N_("Confirmed their email address"),
    "account.exported": N_("Downloaded their data"),
    "account.mobile_changed": N_("Changed their mobile number"),
    "account.mobile_verified": N_("Confirmed their mobile number"),
    "account.registered": N_("Created an account"),
    "admin.api_key_created": N_("Created an API key"),
    "admin.api_key_revoked": N_("Revoked an API key"),
    "admin.exported": N_("Downloaded an export"),
    "admin.organization_created": N_("Added an organisation"),
    "admin.outbox_retried": N_("Sent an undelivered message again"),
    "admin.registrations_extended": N_("Extended registrations"),
    "admin.registrations_extension_undone": N_("Undid a registration extension"),
    "admin.staff_authenticator_reset": N_("Reset a staff member's authenticator"),
    "admin.staff_created": N_("Created a staff account"),
    "admin.staff_disabled": N_("Disabled a staff account"),
    "admin.staff_enabled": N_("Enabled a staff account again"),
    "admin.suspended": N_("Suspended a registration"),
    "admin.reinstated": N_("Reinstated a registration"),
    "admin.refund_refunded": N_("Approved a refund"),
    "admin.refund_declined": N_("Declined a refund"),
    "admin.payment_refunded": N_("Refunded a payment nobody asked about"),
    "application.claimed": N_("Took an application to review"),
    "application.assigned": N_("Assigned an application"),
    "application.escalated": N_("An overdue application was escalated"),
    "application.force_released": N_("Took a claim back from a reviewer"),
    "application.note_added": N_("Added an internal note"),
    "application.resubmitted": N_("Sent a corrected application back"),
    "application.searched": N_("Searched for applications"),
    "application.released": N_("Released an application"),
    "application.viewed": N_("Opened an application"),
    "approval.requested": N_("Asked a second admin to approve"),
    "approval.approved": N_("Approved another's four-eyes request"),
    "approval.refused": N_("Refused another's four-eyes request"),
    "authz.forbidden": N_("Was refused something not allowed"),
    "claim.conflict": N_("Gave the details of a record another account holds"),
    "claim.failed": N_("Failed to link a record"),
    "claim.succeeded": N_("Linked their record"),
    "classification.rank_set": N_("Set the rank to grant"),
    "decision.approved": N_("Approved an application"),
    "decision.held": N_("Approved an application, pending a second admin's approval"),
    "decision.second_approval_refused": N_(
        "Refused to confirm an approval: the application went back to its reviewer"),
    "decision.rejected": N_("Rejected an application"),
    "decision.returned": N_("Returned an application for correction"),
    "document.access_denied": N_("Was refused a document"),
    "document.downloaded": N_("Downloaded a document"),
    "document.uploaded": N_("Uploaded a document"),
    "factor.passkey_added": N_("Added a passkey"),
    "factor.passkey_refused": N_("A passkey was refused"),
    "factor.passkey_removed": N_("Removed a passkey"),
    "factor.totp_enrolled": N_("Set up an authenticator app"),
    "factor.totp_removed": N_("Removed the authenticator app"),
    "password.changed": N_("Changed their password"),
    "password.reset": N_("Reset their password"),
    "payment.needs_refund": N_("A payment arrived that needs refunding"),
    "payment.paid": N_("A payment was confirmed"),
    "payment.started": N_("Started a payment"),
    "practitioner.file_viewed": N_("Opened a practitioner's file"),
    "reauth.failed": N_("Failed to confirm their password"),
    "session.ended": N_("Ended a session"),
    "settings.holiday_added": N_("Added a holiday"),
    "settings.holiday_removed": N_("Removed a holiday"),
    "settings.holidays": N_("Replaced the holiday list"),
    "signin.failed": N_("Failed to sign in"),
    "signin.locked": N_("Sign-in locked after too many failures"),
    "signin.passkey_failed": N_("Failed to sign in with a passkey"),
    "signin.password_ok": N_("Gave the right password (code still to enter)"),
    "signin.refused_locked": N_("Refused sign-in: the account is locked"),
    "signin.refused_no_totp": N_("Refused sign-in: staff need an authenticator app"),
    "signin.succeeded": N_("Signed in"),
    "signout": N_("Signed out"),
    "staff.created": N_("A staff account was created"),
}
PREFIX_NAMES = {"settings.": N_("Changed a setting")}
ACTION_FILTERS = (
    ("signin.", N_("Sign-ins")), ("decision.", N_("Decisions")), ("admin.", N_("Admin actions")),
    ("payment.", N_("Payments")), ("document.", N_("Documents")), ("settings.", N_("Settings")),
    ("claim.", N_("Record links")), ("authz.", N_("Refusals")),
    ("approval.", N_("Four eyes")),
)
DETAIL_NAMES = {
    "reason": N_("Reason"), "kind": N_("Kind"), "amount": N_("Amount"),
    "application": N_("Application"), "status": N_("Status"), "email": N_("Email"),
    "role": N_("Role"), "count": N_("Count"), "months": N_("Months"), "field": N_("Field"),
    "identity": N_("Identity number"), "number": N_("Registration number"),
    "certificates_revoked": N_("Certificates revoked"), "filters": N_("Filters"),
    "size": N_("Size (bytes)"), "operation": N_("Operation"), "rank": N_("Rank"),
    "asks": N_("Asks for"), "summary": N_("Summary"), "request": N_("Four-eyes request"),
    "requested_by": N_("Asked by (account)"), "reviewer": N_("Reviewer (account)"),
    "date": N_("Date"), "name_ar": N_("Name in Arabic"), "name_en": N_("Name in English"),
}
# Detail values that are codes: key → {code: name}. The four-eyes actions are named as on
# the approvals page.
ASKS_NAMES = {
    "EXTEND_REGISTRATIONS": N_("Extend registrations"),
    "REINSTATE_REGISTRATION": N_("Reinstate a registration"),
    "CONFIRM_SUSPENSION": N_("Confirm a suspension"),
    "REFUND": N_("Refund above the four-eyes amount"),
    "REFUND_PAYMENT": N_("Refund of a payment above the four-eyes amount"),
    "PERSONAL_DATA_CHANGE": N_("Change of identity number or date of birth"),
    "CONSULTANT_RANK": N_("Grant of the Consultant rank"),
}
VALUE_NAMES = {"asks": ASKS_NAMES}
TARGET_NAMES = {
    "application": N_("Application"), "payment": N_("Payment"),
    "registration": N_("Registration"), "account": N_("Account"), "document": N_("Document"),
    "setting": N_("Setting"), "export": N_("Export"), "practitioner": N_("Practitioner"),
    "organization": N_("Organisation"), "api_key": N_("API key"), "session": N_("Session"),
    "approval_request": N_("Four-eyes request"),
}


def action_name(action: str) -> str | None:
    if action in ACTION_NAMES:
        return ACTION_NAMES[action]
    return next((name for prefix, name in PREFIX_NAMES.items() if action.startswith(prefix)),
                None)


def target_url(target_type: str, target_id: str) -> str | None:
    """Where an admin opens the target, or None when no page shows it."""
    if not target_id:
        return None
    if target_type == "application":
        return f"/review/{target_id}"
    if target_type == "registration":
        return f"/admin/registrations?number={target_id}"
    if target_type == "approval_request":
        return f"/admin/approvals/{target_id}"
    if target_type in ("account", "payment", "document", "session"):
        return f"/admin/audit?target={target_id}"
    return None
