"""Who may call each root field of the GraphQL schema: the authorisation table.

Every Query and Mutation field has exactly one entry; tests/security/test_authz.py fails when
a field has none (so a new field cannot ship without a rule) or an entry names a field that
no longer exists, and calls every field as anonymous, practitioner A, practitioner B (with
A's ids), a reviewer and an admin, checking the outcome against this table.

The table declares; it does not enforce. Enforcement lives in the use cases
(`server.resolvers.auth.require_*` and the per-owner queries), so a rule is written once.

Who:
- PUBLIC: anyone, signed in or not.
- ANY_SIGNED_IN: any signed-in account (practitioner or staff).
- PRACTITIONER: a signed-in account with a practitioner record (claimed or started); staff
  accounts without one are refused (INVALID_STATE "link your record first").
- REVIEWER: reviewers (supervisors among them) and admins.
- SUPERVISOR: supervisors (staff who assign cases and take claims back) and admins.
- ADMIN: admins only.
- KEY_WATCH / KEY_REGISTER_READ: an organisation's API key holding that scope
  (`Authorization: Bearer sjk_…`). A signed-in person is refused (FORBIDDEN), as is a key
  without the scope; what it reaches is its own organisation's rows only. Everywhere else a
  key is treated as anonymous: it reads the public register and nothing more. An unknown or
  revoked key is UNAUTHENTICATED on every field.

`own`: the field takes ids (or acts on records) that must belong to the caller. Another
account's ids are answered exactly as ids that do not exist (NOT_FOUND or null), never with
the other account's data and never with "exists but not yours".
"""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC = "PUBLIC"
ANY_SIGNED_IN = "ANY_SIGNED_IN"
PRACTITIONER = "PRACTITIONER"
REVIEWER = "REVIEWER"
SUPERVISOR = "SUPERVISOR"
ADMIN = "ADMIN"
KEY_WATCH = "KEY_WATCH"
KEY_REGISTER_READ = "KEY_REGISTER_READ"
WHO = (PUBLIC, ANY_SIGNED_IN, PRACTITIONER, REVIEWER, SUPERVISOR, ADMIN, KEY_WATCH,
       KEY_REGISTER_READ)
STAFF_RULES = (REVIEWER, SUPERVISOR, ADMIN)
KEY_RULES = (KEY_WATCH, KEY_REGISTER_READ)


@dataclass(frozen=True)
class Rule:
    who: str
    note: str
    own: bool = False

    def __post_init__(self) -> None:
        if self.who not in WHO:
            raise ValueError(f"unknown caller class {self.who!r}")


QUERY: dict[str, Rule] = {
    "me": Rule(PUBLIC, "The caller's own account; null when anonymous."),
    "mySessions": Rule(ANY_SIGNED_IN, "The caller's own sessions only."),
    "myPasskeys": Rule(ANY_SIGNED_IN, "The caller's own passkeys only."),
    "myNotifications": Rule(ANY_SIGNED_IN, "The caller's own emails and SMS only."),
    "myDocuments": Rule(ANY_SIGNED_IN, "The caller's own cards, certificates and receipts; "
                        "another account's application gives none, as an unknown one."),
    "myApplications": Rule(ANY_SIGNED_IN, "Filtered by applicant = caller."),
    "myApplication": Rule(ANY_SIGNED_IN, "Another account's application is null.", own=True),
    "usualDecisionDays": Rule(ANY_SIGNED_IN, "The regulator's targets: nothing personal."),
    "verifyPractitioner": Rule(PUBLIC, "The public register: name, category, validity."),
    "searchRegister": Rule(PUBLIC, "The public register by name: public fields only."),
    "recordHistory": Rule(PRACTITIONER, "The caller's own record's changes."),
    "renewal": Rule(ANY_SIGNED_IN, "Another account's renewal is null.", own=True),
    "reviewQueue": Rule(REVIEWER, "Submitted applications of everyone."),
    "reviewApplication": Rule(REVIEWER, "Any application with record, documents, payments."),
    "findApplications": Rule(REVIEWER, "Everyone's applications by name or number; audited."),
    "practitionerFile": Rule(REVIEWER, "Anyone's whole file; audited."),
    "verifyCertificate": Rule(PUBLIC, "Is a certificate code genuine and valid."),
    "myCertificates": Rule(ANY_SIGNED_IN, "The caller's record's certificates."),
    "myCredential": Rule(ANY_SIGNED_IN, "The caller's own registration; null without one."),
    # Administration (server/schema/admin/schema.py).
    "feeSchedule": Rule(ADMIN, "Fees as configured."),
    "renewalQuestionSet": Rule(ADMIN, "The renewal questions as configured."),
    "reviewTargets": Rule(ADMIN, "Days per application kind."),
    "renewalPolicy": Rule(ADMIN, "Approval at payment on or off."),
    "staffAccounts": Rule(ADMIN, "Reviewers and admins."),
    "adminRegistration": Rule(ADMIN, "Any registration, for suspension and reinstatement."),
    "deadOutboxMessages": Rule(ADMIN, "Recipients masked."),
    "adminPayments": Rule(ADMIN, "Every payment."),
    "adminPayment": Rule(ADMIN, "Any one payment, with its applicant."),
    "refundRequests": Rule(ADMIN, "Refunds asked for."),
    "auditLog": Rule(ADMIN, "The audit log."),
    # The review workflow (server/schema/review_workflow.py).
    "internalNotes": Rule(REVIEWER, "Staff only: no applicant-facing type carries notes."),
    "assignableReviewers": Rule(SUPERVISOR, "Active reviewers' names and emails."),
    "holidays": Rule(SUPERVISOR, "The holiday list working days are counted with."),
    "namedHolidays": Rule(SUPERVISOR, "The holiday list with each day's names."),
    # Four eyes (server/schema/admin/approvals.py).
    "approvalRequests": Rule(ADMIN, "Requests waiting for (or decided by) a second admin."),
    "approvalRequest": Rule(ADMIN, "One four-eyes request."),
    "fourEyesSettings": Rule(ADMIN, "The refund amount that needs a second admin."),
    "staffReport": Rule(ADMIN, "Aggregates only: counts, durations, money per day."),
    "cannedReasons": Rule(REVIEWER, "The prepared decision reasons, for the decision form."),
    # Employers (server/schema/employers.py).
    "organizations": Rule(ADMIN, "Every organisation."),
    "organization": Rule(ADMIN, "One organisation, its keys (never their secrets) and "
                                "endpoint (never its secret)."),
    "webhookDeliveries": Rule(ADMIN, "Any organisation's delivery log."),
    "myWatchList": Rule(KEY_WATCH, "The key's own organisation's watch list."),
    "myWebhookEndpoint": Rule(KEY_WATCH, "The key's own organisation's endpoint."),
    "myWebhookDeliveries": Rule(KEY_WATCH, "The key's own organisation's delivery log."),
    "registerChanges": Rule(KEY_REGISTER_READ, "Public register data only."),
    "renewalOptions": Rule(ANY_SIGNED_IN, "The caller's own registration's periods and fees."),
    "myPayment": Rule(ANY_SIGNED_IN, "Another account's payment is null.", own=True),
    "signUpProgress": Rule(PUBLIC, "Only an account still in sign-up; its id is the secret "
                                   "the registration answer gave."),
}

MUTATION: dict[str, Rule] = {
    # Registration and sign-in: anonymous by nature; captcha, codes and rate limits guard
    # them (docs/security.md, Accounts).
    "registerAccount": Rule(PUBLIC, "Captcha; TAKEN only after a valid captcha."),
    "confirmEmail": Rule(PUBLIC, "Needs the emailed single-use token."),
    "resendConfirmationEmail": Rule(PUBLIC, "Same answer whether or not the address exists."),
    "verifyMobile": Rule(PUBLIC, "Needs the SMS code sent to that account."),
    "resendMobileCode": Rule(PUBLIC, "Cooldown and caps per account and number."),
    "login": Rule(PUBLIC, "Same answer for unknown accounts; one sign-in mutation a document."),
    "verifyLogin": Rule(PUBLIC, "Needs the code of that challenge; 5 tries."),
    "logout": Rule(PUBLIC, "Ends the caller's session, if any; harmless anonymously."),
    "requestPasswordReset": Rule(PUBLIC, "Same answer whether or not the account exists."),
    "resetPassword": Rule(PUBLIC, "Needs the emailed single-use token."),
    # The caller's own account.
    "changePassword": Rule(ANY_SIGNED_IN, "Needs the current password."),
    "startTotpEnrolment": Rule(ANY_SIGNED_IN, "The caller's own authenticator."),
    "confirmTotpEnrolment": Rule(ANY_SIGNED_IN, "The caller's own authenticator."),
    "removeTotp": Rule(ANY_SIGNED_IN, "Needs the password; staff must keep TOTP."),
    "requestEmailChange": Rule(ANY_SIGNED_IN, "Needs the password."),
    "confirmEmailChange": Rule(PUBLIC, "The emailed single-use token is the authority (the "
                                       "link may be opened in another browser)."),
    "requestMobileChange": Rule(ANY_SIGNED_IN, "Needs the password."),
    "confirmMobileChange": Rule(ANY_SIGNED_IN, "Needs the SMS code."),
    "endSession": Rule(ANY_SIGNED_IN, "Only the caller's own sessions.", own=True),
    "markNotificationsRead": Rule(ANY_SIGNED_IN, "Only the caller's own; other ids are ignored.",
                                  own=True),
    "setLanguage": Rule(ANY_SIGNED_IN, "The caller's own account."),
    # Passkeys (server/resolvers/accounts/passkeys.py).
    "startPasskeyRegistration": Rule(ANY_SIGNED_IN, "A passkey for the caller's account."),
    "finishPasskeyRegistration": Rule(ANY_SIGNED_IN, "Only with a challenge of the caller's "
                                                     "own session."),
    "removePasskey": Rule(ANY_SIGNED_IN, "Only the caller's own; needs the password.",
                          own=True),
    "startPasskeySignIn": Rule(PUBLIC, "A single-use challenge; limited per address."),
    "finishPasskeySignIn": Rule(PUBLIC, "Needs a passkey's signature over that challenge."),
    # Linking or creating a record: any account without one.
    "claimPractitionerRecord": Rule(ANY_SIGNED_IN, "All three details must match; 5 a day."),
    "startPractitionerRecord": Rule(ANY_SIGNED_IN, "Only for an account without a record."),
    # The practitioner's own record and applications.
    "addExperience": Rule(PRACTITIONER, "Its certificate must be the caller's.", own=True),
    "updateExperience": Rule(PRACTITIONER, "The caller's own entry and document.", own=True),
    "removeExperience": Rule(PRACTITIONER, "The caller's own entry.", own=True),
    "addLicense": Rule(PRACTITIONER, "Its document must be the caller's.", own=True),
    "updateLicense": Rule(PRACTITIONER, "The caller's own entry and document.", own=True),
    "removeLicense": Rule(PRACTITIONER, "The caller's own entry.", own=True),
    "addQualification": Rule(PRACTITIONER, "Its certificate must be the caller's.", own=True),
    "submitCpdActivity": Rule(PRACTITIONER, "Its certificate must be the caller's.", own=True),
    "requestPersonalDataChange": Rule(PRACTITIONER, "The caller's record.", own=True),
    "startRenewal": Rule(PRACTITIONER, "The caller's registration."),
    "answerRenewalQuestions": Rule(PRACTITIONER, "The caller's own renewal.", own=True),
    "attachDocuments": Rule(ANY_SIGNED_IN, "The caller's application and documents.",
                            own=True),
    "submitRenewal": Rule(PRACTITIONER, "The caller's own renewal.", own=True),
    "payApplication": Rule(ANY_SIGNED_IN, "The caller's own application.", own=True),
    "applyForGoodStandingCertificate": Rule(PRACTITIONER, "The caller's registration."),
    "applyForTrainingCertificate": Rule(PRACTITIONER, "Evidence must be the caller's.",
                                        own=True),
    "applyForQualificationEvaluation": Rule(PRACTITIONER, "Evidence must be the caller's.",
                                            own=True),
    "applyForClassification": Rule(PRACTITIONER, "Evidence must be the caller's.", own=True),
    "applyForRegistration": Rule(PRACTITIONER, "After an approved classification."),
    "applyForReclassification": Rule(PRACTITIONER, "Evidence must be the caller's.",
                                     own=True),
    "cancelApplication": Rule(ANY_SIGNED_IN, "The caller's own application.", own=True),
    "requestRefund": Rule(ANY_SIGNED_IN, "The caller's own cancelled application.", own=True),
    "resubmitApplication": Rule(ANY_SIGNED_IN, "The caller's own returned application.",
                                own=True),
    # Staff.
    "decideApplication": Rule(REVIEWER, "Not one's own application; not under another "
                                        "reviewer's claim; an approval changing an "
                                        "identity number or birth date, or granting a "
                                        "Consultant rank, waits for a second admin."),
    "claimNextApplication": Rule(REVIEWER, "Takes the oldest waiting application."),
    "claimApplication": Rule(REVIEWER, "Opening one to decide it; never another's claim."),
    "releaseApplication": Rule(REVIEWER, "The holder or an admin, or anyone after the claim "
                                         "lapsed."),
    "setClassificationRank": Rule(REVIEWER, "Classification applications under review."),
    # Administration.
    "updateFeeSchedule": Rule(ADMIN, "Audited."),
    "updateRenewalQuestions": Rule(ADMIN, "Audited."),
    "updateReviewTargets": Rule(ADMIN, "Audited."),
    "updateRenewalPolicy": Rule(ADMIN, "Audited."),
    "createStaffAccount": Rule(ADMIN, "Audited; the new account must enrol TOTP."),
    "disableStaffAccount": Rule(ADMIN, "Ends the account's sessions; audited."),
    "resetStaffAuthenticator": Rule(ADMIN, "Audited."),
    "suspendRegistration": Rule(ADMIN, "With a reason; audited."),
    "reinstateRegistration": Rule(ADMIN, "With a reason; audited."),
    "extendRegistrations": Rule(ADMIN, "Bulk extension; audited."),
    "retryOutboxMessage": Rule(ADMIN, "A dead message back to the queue."),
    "decideRefund": Rule(ADMIN, "Approve or decline a requested refund."),
    "enableStaffAccount": Rule(ADMIN, "A disabled staff account back; audited."),
    # The review workflow.
    "assignApplication": Rule(SUPERVISOR, "To a reviewer or a team; audited."),
    "forceReleaseApplication": Rule(SUPERVISOR, "With a reason; audited."),
    "addInternalNote": Rule(REVIEWER, "Any application; audited; never shown to its "
                                      "applicant."),
    "updateHolidays": Rule(ADMIN, "Audited."),
    "addHoliday": Rule(ADMIN, "Audited."),
    "removeHoliday": Rule(ADMIN, "Audited."),
    # Four eyes: the requester can never decide their own request.
    "previewRegistrationExtension": Rule(ADMIN, "Reads only: how many and who."),
    "decideApprovalRequest": Rule(ADMIN, "A second admin only, never the requester; "
                                         "audited."),
    "undoRegistrationExtension": Rule(ADMIN, "An approved extension, once; audited."),
    "updateFourEyesSettings": Rule(ADMIN, "Audited."),
    "updateCannedReasons": Rule(ADMIN, "Replace the prepared decision reasons."),
    "refundPayment": Rule(ADMIN, "Refund a paid payment nobody asked about, with a reason; "
                                 "above the four-eyes amount a second admin approves."),
    # Employers.
    "createOrganization": Rule(ADMIN, "Audited."),
    "createApiKey": Rule(ADMIN, "The secret is answered once; audited with its prefix."),
    "revokeApiKey": Rule(ADMIN, "Works on the key's next request; audited."),
    "watchPractitioners": Rule(KEY_WATCH, "Into the key's own organisation's list."),
    "unwatchPractitioners": Rule(KEY_WATCH, "From the key's own organisation's list."),
    "setWebhookEndpoint": Rule(KEY_WATCH, "The key's own organisation's endpoint."),
}


def rule_for(operation: str, field: str) -> Rule | None:
    return (QUERY if operation == "query" else MUTATION).get(field)
