"""The authorisation matrix: every root field of the schema has a rule in server/authz.py,
and every field called as anonymous, practitioner A, practitioner B (with A's ids), a
reviewer, a supervisor, an admin and an organisation's API keys (one per scope) answers
as its rule says. Refusals reveal nothing: B asking with A's ids gets exactly the answer B
gets for ids that do not exist."""

from __future__ import annotations

import json
import uuid

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)

from server import authz
from server.models.accounts import Passkey, Session
from server.models.applications import Application, ApplicationDocument
from server.models.documents import Document
from server.models.outbox import OutboxMessage
from server.models.practitioners import Experience, License, Practitioner, Qualification
from server.schema import build_schema
from tests.conftest import gql

SCHEMA = build_schema()._schema
FIELDS = {"query": SCHEMA.query_type.fields, "mutation": SCHEMA.mutation_type.fields}

PASSWORD = "cedar harbour lantern 42"

# Minimal valid arguments per field, from the target's ids (A's, or ids that do not exist).
SAMPLES = {
    "query": {
        "me": lambda i: {},
        "mySessions": lambda i: {},
        "myPasskeys": lambda i: {},
        "myNotifications": lambda i: {"first": 5},
        "myDocuments": lambda i: {"applicationId": i["cancelled"]},
        "myApplications": lambda i: {"first": 5},
        "myApplication": lambda i: {"id": i["awaiting"]},
        "usualDecisionDays": lambda i: {"kind": "CPD_RECOGNITION"},
        "verifyPractitioner": lambda i: {"registrationNumber": i["registration"]},
        "searchRegister": lambda i: {"query": "Sara"},
        "recordHistory": lambda i: {"first": 5},
        "renewal": lambda i: {"id": i["renewal"]},
        "reviewQueue": lambda i: {"first": 5},
        "reviewApplication": lambda i: {"id": i["submitted"]},
        "findApplications": lambda i: {"query": "Alphamarker"},
        "practitionerFile": lambda i: {"id": i["practitioner"]},
        "verifyCertificate": lambda i: {"code": "SJ-NOPE-0000"},
        "myCertificates": lambda i: {},
        "myCredential": lambda i: {},
        "feeSchedule": lambda i: {},
        "renewalQuestionSet": lambda i: {},
        "reviewTargets": lambda i: {},
        "renewalPolicy": lambda i: {},
        "staffAccounts": lambda i: {},
        "adminRegistration": lambda i: {"registrationNumber": i["registration"]},
        "deadOutboxMessages": lambda i: {"first": 5},
        "adminPayments": lambda i: {"first": 5},
        "adminPayment": lambda i: {"id": i["payment"]},
        "refundRequests": lambda i: {},
        "auditLog": lambda i: {"first": 5},
        "staffReport": lambda i: {"weeks": 4, "days": 7},
        "cannedReasons": lambda i: {},
        "organizations": lambda i: {},
        "organization": lambda i: {"id": i["organization"]},
        "webhookDeliveries": lambda i: {"organizationId": i["organization"], "first": 5},
        "myWatchList": lambda i: {"first": 5},
        "myWebhookEndpoint": lambda i: {},
        "myWebhookDeliveries": lambda i: {"first": 5},
        "registerChanges": lambda i: {"first": 5},
        "renewalOptions": lambda i: {},
        "myPayment": lambda i: {"id": i["payment"]},
        "signUpProgress": lambda i: {"accountId": i["account"]},
        "internalNotes": lambda i: {"applicationId": i["submitted"]},
        "assignableReviewers": lambda i: {},
        "holidays": lambda i: {},
        "namedHolidays": lambda i: {},
        "approvalRequests": lambda i: {},
        "approvalRequest": lambda i: {"id": str(uuid.uuid4())},
        "fourEyesSettings": lambda i: {},
    },
    "mutation": {
        "registerAccount": lambda i: {"input": {
            "firstName": "New", "familyName": "Person", "email": "new@example.com",
            "emailConfirmation": "new@example.com", "password": PASSWORD,
            "passwordConfirmation": PASSWORD, "mobile": "0557654321", "acceptTerms": True,
            "captcha": "bad"}},
        "confirmEmail": lambda i: {"input": {"token": "x" * 40}},
        "resendConfirmationEmail": lambda i: {"input": {"email": "nobody@example.com"}},
        "verifyMobile": lambda i: {"input": {"accountId": str(uuid.uuid4()), "code": "123456"}},
        "resendMobileCode": lambda i: {"input": {"accountId": str(uuid.uuid4())}},
        "login": lambda i: {"input": {"identifier": "nobody@example.com", "password": "x"}},
        "verifyLogin": lambda i: {"input": {"challengeId": str(uuid.uuid4()),
                                            "code": "123456"}},
        "logout": lambda i: {},
        "requestPasswordReset": lambda i: {"input": {"email": "nobody@example.com"}},
        "resetPassword": lambda i: {"input": {"token": "x" * 40, "password": PASSWORD,
                                              "passwordConfirmation": PASSWORD}},
        "changePassword": lambda i: {"input": {"currentPassword": "wrong",
                                               "newPassword": PASSWORD + "x",
                                               "newPasswordConfirmation": PASSWORD + "x"}},
        "startTotpEnrolment": lambda i: {},
        "confirmTotpEnrolment": lambda i: {"input": {"code": "123456"}},
        "removeTotp": lambda i: {"input": {"password": "wrong"}},
        "requestEmailChange": lambda i: {"input": {"newEmail": "other@example.com",
                                                   "password": "wrong"}},
        "confirmEmailChange": lambda i: {"input": {"token": "x" * 40}},
        "requestMobileChange": lambda i: {"input": {"newMobile": "0559998887",
                                                    "password": "wrong"}},
        "confirmMobileChange": lambda i: {"input": {"code": "123456"}},
        "endSession": lambda i: {"input": {"sessionId": i["session"]}},
        "markNotificationsRead": lambda i: {"input": {"ids": [i["notification"]]}},
        "setLanguage": lambda i: {"input": {"language": "en"}},
        "startPasskeyRegistration": lambda i: {},
        "finishPasskeyRegistration": lambda i: {"input": {"challengeId": str(uuid.uuid4()),
                                                          "credential": "{}"}},
        "removePasskey": lambda i: {"input": {"passkeyId": i["passkey"], "password": "wrong"}},
        "startPasskeySignIn": lambda i: {},
        "finishPasskeySignIn": lambda i: {"input": {"challengeId": str(uuid.uuid4()),
                                                    "credential": "{}"}},
        "claimPractitionerRecord": lambda i: {"input": {
            "registrationNumber": "24-R-0000999", "identityNumber": "1000000024",
            "dateOfBirth": "1985-04-12"}},
        "startPractitionerRecord": lambda i: {"input": {
            "firstNameAr": "سارة", "familyNameAr": "القحطاني", "firstNameEn": "Sara",
            "familyNameEn": "Alqahtani", "dateOfBirth": "1990-01-01", "gender": "F",
            "nationality": "SA", "identityType": "NATIONAL_ID", "identityNumber": "1000000024",
            "category": "PHYSICIAN", "specialty": "INTERNAL_MEDICINE"}},
        "addExperience": lambda i: {"input": {
            "city": "Jeddah", "country": "SA", "workplace": "KAUH", "specialty": "IM",
            "jobDescription": "", "startDate": "2012-01-01", "endDate": "2014-01-01",
            "organizationType": "GOVERNMENT", "certificateId": i["spare"]}},
        "updateExperience": lambda i: {"input": {"id": i["experience"], "city": "Dammam"}},
        "removeExperience": lambda i: {"input": {"id": i["experience"]}},
        "addLicense": lambda i: {"input": {
            "specialty": "IM", "expiryDate": "2031-01-01", "country": "BH", "authority": "NHRA",
            "referenceNumber": "R-1", "documentId": i["spare"]}},
        "updateLicense": lambda i: {"input": {"id": i["license"], "authority": "DHA"}},
        "removeLicense": lambda i: {"input": {"id": i["license"]}},
        "addQualification": lambda i: {"input": {
            "degree": "MSc", "institution": "KAU", "country": "SA", "awardedOn": "2015-06-01",
            "certificateId": i["spare"]}},
        "submitCpdActivity": lambda i: {"input": {
            "title": "Course", "provider": "SCFHS", "accreditationNumber": "A-1", "hours": 3,
            "completedOn": "2025-01-10", "certificateId": i["spare"]}},
        "requestPersonalDataChange": lambda i: {"input": {
            "registrationNumber": i["registration"], "changes": {"familyNameEn": "Changed"},
            "documentIds": [i["spare"]], "note": "marriage"}},
        "startRenewal": lambda i: {"input": {"years": 1}},
        "answerRenewalQuestions": lambda i: {"input": {"renewalId": i["renewal"], "answers": [
            {"code": "PRACTISING_IN_KINGDOM", "answer": "YES"}]}},
        "attachDocuments": lambda i: {"input": {"applicationId": i["renewal"], "documents": [
            {"kind": "EMPLOYER_LETTER", "documentId": i["spare"]}]}},
        "submitRenewal": lambda i: {"input": {"renewalId": i["renewal"]}},
        "payApplication": lambda i: {"input": {"applicationId": i["awaiting"],
                                               "method": "SADAD"}},
        "applyForGoodStandingCertificate": lambda i: {},
        "applyForTrainingCertificate": lambda i: {"input": {
            "programme": "Residency", "institution": "KFSH", "startDate": "2015-01-01",
            "endDate": "2019-01-01", "documentIds": [i["spare"]]}},
        "applyForQualificationEvaluation": lambda i: {"input": {
            "degree": "PhD", "institution": "Oxford", "country": "GB",
            "awardedOn": "2016-06-01", "certificateId": i["spare"]}},
        "applyForClassification": lambda i: {"input": {
            "category": "PHYSICIAN", "specialty": "INTERNAL_MEDICINE",
            "qualificationLevel": "BOARD", "yearsOfExperience": 5, "examPassed": True,
            "examReference": "E-1", "documentIds": [i["spare"]]}},
        "applyForRegistration": lambda i: {"input": {"years": 1}},
        "applyForReclassification": lambda i: {"input": {
            "targetRank": "CONSULTANT", "targetSpecialty": "INTERNAL_MEDICINE",
            "note": "board", "documentIds": [i["spare"]]}},
        "cancelApplication": lambda i: {"input": {"applicationId": i["awaiting"]}},
        "requestRefund": lambda i: {"input": {"applicationId": i["cancelled"]}},
        "resubmitApplication": lambda i: {"input": {"applicationId": i["awaiting"],
                                                    "answers": ["Corrected."]}},
        "decideApplication": lambda i: {"input": {"applicationId": i["submitted"],
                                                  "decision": "REJECT",
                                                  "reason": "Not equivalent."}},
        "claimNextApplication": lambda i: {"input": {}},
        "claimApplication": lambda i: {"input": {"applicationId": i["submitted"]}},
        "releaseApplication": lambda i: {"input": {"applicationId": i["submitted"]}},
        "setClassificationRank": lambda i: {"input": {"applicationId": i["classification"],
                                                      "rank": "CONSULTANT"}},
        "updateFeeSchedule": lambda i: {"input": {"items": [
            {"key": "RENEWAL_1", "amount": "300.00"}]}},
        "updateRenewalQuestions": lambda i: {"input": {"questions": []}},
        "updateReviewTargets": lambda i: {"input": {"items": [
            {"kind": "RENEWAL", "days": 5}]}},
        "updateRenewalPolicy": lambda i: {"input": {"autoApprove": True}},
        "createStaffAccount": lambda i: {"input": {
            "email": "new.reviewer@sijil.example", "role": "reviewer",
            "password": "quiet meadow lantern 9", "firstName": "New", "familyName": "Staff"}},
        "disableStaffAccount": lambda i: {"input": {"accountId": str(uuid.uuid4())}},
        "resetStaffAuthenticator": lambda i: {"input": {"accountId": str(uuid.uuid4())}},
        "suspendRegistration": lambda i: {"input": {"registrationNumber": i["registration"],
                                                    "reason": "Board decision 12/2025."}},
        "reinstateRegistration": lambda i: {"input": {"registrationNumber": i["registration"],
                                                      "reason": "Board decision 13/2025."}},
        "extendRegistrations": lambda i: {"input": {"expiringFrom": "2030-01-01",
                                                    "expiringTo": "2030-01-31", "months": 1}},
        "retryOutboxMessage": lambda i: {"input": {"id": "987654321"}},
        "decideRefund": lambda i: {"input": {"paymentId": str(uuid.uuid4()), "approve": False,
                                             "reason": "Not eligible."}},
        "updateCannedReasons": lambda i: {"input": {"reasons": [
            {"textAr": "المستند غير واضح.", "textEn": "The document is unreadable."}]}},
        "refundPayment": lambda i: {"input": {"paymentId": str(uuid.uuid4()),
                                              "reason": "Paid twice."}},
        "createOrganization": lambda i: {"input": {"nameAr": "مستشفى", "nameEn": "Hospital",
                                                   "contactEmail": "hr@hospital.example"}},
        "createApiKey": lambda i: {"input": {"organizationId": i["organization"],
                                             "name": "HR system", "scopes": ["WATCH"]}},
        "revokeApiKey": lambda i: {"input": {"apiKeyId": str(uuid.uuid4())}},
        "watchPractitioners": lambda i: {"input": {"registrationNumbers": [i["registration"]]}},
        "unwatchPractitioners": lambda i: {"input": {
            "registrationNumbers": [i["registration"]]}},
        "setWebhookEndpoint": lambda i: {"input": {"url": "https://hr.example/hooks",
                                                   "events": ["REGISTRATION_SUSPENDED"]}},
        "enableStaffAccount": lambda i: {"input": {"accountId": str(uuid.uuid4())}},
        "assignApplication": lambda i: {"input": {"applicationId": i["submitted"],
                                                  "team": "Physicians"}},
        "forceReleaseApplication": lambda i: {"input": {"applicationId": i["submitted"],
                                                        "reason": "Reviewer away."}},
        "addInternalNote": lambda i: {"input": {"applicationId": i["submitted"],
                                                "body": "Call the hospital first."}},
        "updateHolidays": lambda i: {"input": {"dates": ["2030-04-01"]}},
        "addHoliday": lambda i: {"input": {"date": "2027-04-01", "nameAr": "عيد",
                                           "nameEn": "Eid"}},
        "removeHoliday": lambda i: {"input": {"date": "2030-04-01"}},
        "previewRegistrationExtension": lambda i: {"input": {
            "expiringFrom": "2030-01-01", "expiringTo": "2030-01-31", "months": 1}},
        "decideApprovalRequest": lambda i: {"input": {"requestId": str(uuid.uuid4()),
                                                      "approve": True}},
        "undoRegistrationExtension": lambda i: {"input": {"requestId": str(uuid.uuid4())}},
        "updateFourEyesSettings": lambda i: {"input": {"refundAbove": "1000.00"}},
    },
}


def fake_ids(ids: dict[str, str]) -> dict[str, str]:
    """The same keys, pointing at nothing."""
    fake = {k: str(uuid.uuid4()) for k in ids}
    fake["session"] = "987654321"
    fake["notification"] = "987654322"
    fake["registration"] = "24-R-0999999"
    return fake


# ------------------------------------------------------------------ documents

def selection(type_, depth: int) -> str:
    named = get_named_type(type_)
    if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
        return ""
    assert isinstance(named, GraphQLObjectType)
    parts = ["__typename"]
    for name, field in named.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) for a in field.args.values()):
            continue
        inner = get_named_type(field.type)
        if isinstance(inner, (GraphQLScalarType, GraphQLEnumType)):
            parts.append(name)
        elif depth > 0:
            parts.append(f"{name} {{ {selection(field.type, depth - 1)} }}")
    return " ".join(parts)


def document(operation: str, name: str) -> str:
    field = FIELDS[operation][name]
    variables = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
    arguments = ", ".join(f"{a}: ${a}" for a in field.args)
    head = f"{operation} Probe" + (f"({variables})" if variables else "")
    call = name + (f"({arguments})" if arguments else "")
    inner = selection(field.type, 2)
    return f"{head} {{ {call}" + (f" {{ {inner} }}" if inner else "") + " }"


# ------------------------------------------------------------------ outcomes

ACCESS_CODES = {"UNAUTHENTICATED", "FORBIDDEN"}


def outcome(body: dict, name: str) -> tuple[str, set[str]]:
    """('unauthenticated'|'forbidden'|'null'|'ok'|'error', user error codes)."""
    errors = body.get("errors") or []
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    if "UNAUTHENTICATED" in codes:
        return "unauthenticated", set()
    if "FORBIDDEN" in codes:
        return "forbidden", set()
    if errors:
        return "error", {str(c) for c in codes}
    value = (body.get("data") or {}).get(name)
    if value is None:
        return "null", set()
    if isinstance(value, dict) and value.get("errors"):
        return "ok", {e["code"] for e in value["errors"]}
    return "ok", set()


def leaks(body: dict, markers) -> list[str]:
    text = json.dumps(body, ensure_ascii=False)
    return [m for m in markers if m and m in text]


async def state_of(world) -> dict:
    """What A has: a refused call must change none of it."""
    pid, aid = world.a.practitioner.id, world.a.account.id
    practitioner = await Practitioner.get(id=pid)
    return {
        "practitioner": (practitioner.family_name_en, practitioner.account_id, practitioner.rank),
        "experiences": sorted((str(e.id), e.city) for e in
                              await Experience.filter(practitioner_id=pid)),
        "licenses": sorted(str(x.id) for x in await License.filter(practitioner_id=pid)),
        "qualifications": sorted(str(q.id) for q in
                                 await Qualification.filter(practitioner_id=pid)),
        "applications": sorted((str(x.id), x.status, json.dumps(x.data, sort_keys=True))
                               for x in await Application.filter(applicant_id=aid)),
        "attached": sorted((str(d.application_id), str(d.document_id)) for d in
                           await ApplicationDocument.filter(document__owner_id=aid)),
        "documents": sorted(str(d.id) for d in await Document.filter(owner_id=aid)),
        "sessions": await Session.filter(account_id=aid).count(),
        "passkeys": sorted(str(k.id) for k in await Passkey.filter(account_id=aid)),
        "unread": sorted(str(m.id) for m in await OutboxMessage.filter(account_id=aid,
                                                                        read_at=None)),
    }


async def call(client, operation, name, actor, ids):
    variables = SAMPLES[operation][name](ids)
    return await gql(client, document(operation, name), variables, token=actor.token)


# ------------------------------------------------------------------ the table is complete

def test_every_schema_field_has_a_rule_and_every_rule_a_field():
    for operation, table in (("query", authz.QUERY), ("mutation", authz.MUTATION)):
        missing = sorted(set(FIELDS[operation]) - set(table))
        stale = sorted(set(table) - set(FIELDS[operation]))
        assert not missing, f"{operation} fields without a rule in server/authz.py: {missing}"
        assert not stale, f"rules in server/authz.py for no {operation} field: {stale}"
        for name, rule in table.items():
            assert rule.note.strip(), f"{name}: say why"


def test_every_field_has_sample_arguments():
    for operation in FIELDS:
        assert set(SAMPLES[operation]) == set(FIELDS[operation]), operation


CASES = [(op, name) for op in ("query", "mutation") for name in sorted(FIELDS[op])]


@pytest.mark.parametrize(("operation", "name"), CASES, ids=[n for _, n in CASES])
async def test_each_field_answers_each_caller_as_its_rule_says(shared_client, shared_world,
                                                              operation, name):
    client, world = shared_client, shared_world
    rule = authz.rule_for(operation, name)
    assert rule is not None, f"no rule for {name}"
    a_ids, nowhere = world.a.ids, fake_ids(world.a.ids)
    before = await state_of(world)

    # Anonymous.
    body = await call(client, operation, name, world.anon, a_ids)
    got, _ = outcome(body, name)
    if rule.who == authz.PUBLIC:
        assert got not in ("unauthenticated", "forbidden", "error"), (name, body)
    else:
        assert got == "unauthenticated", (name, body)
        assert not leaks(body, world.a.markers), (name, body)

    # B, a practitioner, with A's ids; and the same call with ids that do not exist.
    for other in (world.b, world.reviewer, world.supervisor, world.admin):
        staff = other is not world.b
        allowed = (rule.who in (authz.PUBLIC, authz.ANY_SIGNED_IN)
                   or (rule.who == authz.PRACTITIONER and not staff)
                   or (rule.who == authz.REVIEWER and staff)
                   or (rule.who == authz.SUPERVISOR
                       and other in (world.supervisor, world.admin))
                   or (rule.who == authz.ADMIN and other is world.admin))
        if rule.own and allowed and rule.who != authz.REVIEWER:
            if other is world.admin and rule.who == authz.ADMIN:
                continue
            theirs = await call(client, operation, name, other, a_ids)
            unknown = await call(client, operation, name, other, nowhere)
            got, codes = outcome(theirs, name)
            # Refused: null or a UserError (NOT_FOUND, or whatever rule comes first), and
            # the very same answer as for ids that exist nowhere.
            assert got == "null" or (got == "ok" and codes), (name, other.name, theirs)
            assert theirs == unknown, (
                f"{name}: {other.name} can tell A's ids from ids that do not exist",
                theirs, unknown)
            assert not leaks(theirs, world.a.markers), (name, other.name, theirs)
        elif allowed:
            body = await call(client, operation, name, other, a_ids)
            got, codes = outcome(body, name)
            assert got not in ("unauthenticated", "forbidden", "error"), (name, other.name, body)
            if rule.who not in (*authz.STAFF_RULES, authz.PUBLIC):
                assert not leaks(body, world.a.markers), (name, other.name, body)
        else:
            body = await call(client, operation, name, other, a_ids)
            got, codes = outcome(body, name)
            if rule.who == authz.PRACTITIONER and staff:
                # A staff account has no record: refused as such, or FORBIDDEN.
                # (a query has no payload: its INVALID_STATE is a top-level BAD_USER_INPUT).
                assert got in ("forbidden", "null") or codes & {
                    "INVALID_STATE", "NOT_FOUND", "NOT_ALLOWED"} or (
                    operation == "query" and codes == {"BAD_USER_INPUT"}), (name, other.name, body)
            else:
                assert got == "forbidden", (name, other.name, body)
            assert not leaks(body, world.a.markers), (name, other.name, body)
        if rule.who not in (*authz.STAFF_RULES, authz.PUBLIC):
            assert await state_of(world) == before, f"{name}: {other.name} changed A's data"

    # An organisation's API keys: a key is anonymous except on the fields of its scope.
    for key, scope in ((world.key_watch, authz.KEY_WATCH),
                       (world.key_read, authz.KEY_REGISTER_READ)):
        body = await call(client, operation, name, key, a_ids)
        got, _ = outcome(body, name)
        if rule.who in (authz.PUBLIC, scope):
            assert got not in ("unauthenticated", "forbidden", "error"), (name, key.name, body)
        elif rule.who in authz.KEY_RULES:
            assert got == "forbidden", (name, key.name, body)
        else:
            assert got == "unauthenticated", (name, key.name, body)
        if rule.who not in (authz.PUBLIC, scope):
            assert not leaks(body, world.a.markers), (name, key.name, body)

    # A, on A's own ids.
    body = await call(client, operation, name, world.a, a_ids)
    got, codes = outcome(body, name)
    if rule.who in (*authz.STAFF_RULES, *authz.KEY_RULES):
        assert got == "forbidden", (name, body)
    else:
        assert got not in ("unauthenticated", "forbidden", "error"), (name, body)
        if rule.own:
            assert "NOT_FOUND" not in codes, (name, body)
            assert got == "ok", (name, body)


async def test_a_forbidden_call_leaves_an_audit_row(client, world):
    from server.models.audit import AuditEntry

    before = await AuditEntry.filter(actor_id=world.a.account.id).count()
    body = await gql(client, "{ reviewQueue(first: 5) { edges { cursor } } }",
                     token=world.a.token)
    assert outcome(body, "reviewQueue")[0] == "forbidden"
    assert await AuditEntry.filter(actor_id=world.a.account.id).count() == before + 1


# ------------------------------------------------------------------ four eyes

FOUR_EYES_DECIDE = """mutation($input: DecideApprovalRequestInput!) {
  decideApprovalRequest(input: $input) { request { status } errors { field code } } }"""
FOUR_EYES_ONE = "query($id: ID!) { approvalRequest(id: $id) { id status } }"


def refusal(body: dict, name: str) -> str:
    """How a call was refused: a top-level code, else the first UserError's code."""
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    errors = body["data"][name]["errors"]
    return errors[0]["code"] if errors else "ok"


async def _four_eyes_requests(client) -> list[tuple[str, str, str]]:
    """One real pending request per kind a reviewer, a supervisor or an admin asks for:
    (action, request id, the requester's token)."""
    from server.models.practitioners import Practitioner
    from server.models.workflow import ApprovalRequest
    from tests.admin.test_admin import op, paid_and_cancelled
    from tests.admin.test_four_eyes_held import classification, identity, identity_change
    from tests.builders import imported_record, staff_session
    from tests.review.test_review import decide

    _, reviewer = await staff_session("reviewer")
    _, supervisor = await staff_session("supervisor")
    _, admin = await staff_session("admin")
    asked = []
    change, _ = await identity_change(identityNumber=identity(77))
    assert (await decide(client, reviewer, change.id, "APPROVE"))["errors"] == []
    asked.append(("PERSONAL_DATA_CHANGE", reviewer, str(change.id)))
    rank, someone = await classification("CONSULTANT")
    assert (await decide(client, supervisor, rank.id, "APPROVE"))["errors"] == []
    asked.append(("CONSULTANT_RANK", supervisor, str(rank.id)))
    await gql(client, """mutation($input: UpdateFourEyesSettingsInput!) {
        updateFourEyesSettings(input: $input) { errors { code } } }""",
              {"input": {"refundAbove": "10"}}, token=admin)
    payment = await paid_and_cancelled(email="four-eyes-matrix@example.com", refund_status="")
    body = await gql(client, """mutation($input: RefundPaymentInput!) { refundPayment(
        input: $input) { approvalRequest { id } errors { code } } }""",
                     {"input": {"paymentId": str(payment.id), "reason": "Paid twice"}},
                     token=admin)
    assert body["data"]["refundPayment"]["approvalRequest"], body
    asked.append(("REFUND_PAYMENT", admin, str(payment.id)))
    refund = await paid_and_cancelled(email="four-eyes-matrix-2@example.com")
    body = await gql(client, op("AdminDecideRefund"), {"input": {
        "paymentId": str(refund.id), "approve": True}}, token=admin)
    assert body["data"]["decideRefund"]["approvalRequest"], body
    asked.append(("REFUND", admin, str(refund.id)))
    await imported_record(number="24-R-0770001", identity=identity(78))
    body = await gql(client, op("AdminSuspendRegistration"), {"input": {
        "registrationNumber": "24-R-0770001", "reason": "Complaint"}}, token=admin)
    assert body["data"]["suspendRegistration"]["approvalRequest"], body
    asked.append(("CONFIRM_SUSPENSION", admin, "24-R-0770001"))
    assert await Practitioner.filter(id=someone.id, rank="REGISTRAR").exists()
    return [(action, str((await ApprovalRequest.get(action=action, target=target)).id), token)
            for action, token, target in asked]


async def test_four_eyes_who_may_ask_and_who_may_decide(client):
    """Reviewers and supervisors ask (by approving an application that needs it) but never
    decide; admins ask for the rest; only another admin decides, never the requester;
    anonymous callers and practitioners get nothing, and nothing changes on the way."""
    from server.models.workflow import ApprovalRequest
    from tests.admin.test_admin import practitioner_token
    from tests.builders import staff_session

    requests = await _four_eyes_requests(client)
    assert {a for a, _, _ in requests} == {"PERSONAL_DATA_CHANGE", "CONSULTANT_RANK",
                                           "REFUND_PAYMENT", "REFUND", "CONFIRM_SUSPENSION"}
    _, practitioner = await practitioner_token()
    _, reviewer = await staff_session("reviewer")
    _, supervisor = await staff_session("supervisor")
    _, second = await staff_session("admin")
    for action, request_id, requester in requests:
        decision = {"input": {"requestId": request_id, "approve": True}}
        for token, expected in ((None, "UNAUTHENTICATED"), (practitioner, "FORBIDDEN"),
                                (reviewer, "FORBIDDEN"), (supervisor, "FORBIDDEN")):
            body = await gql(client, FOUR_EYES_DECIDE, decision, token=token)
            assert refusal(body, "decideApprovalRequest") == expected, (action, body)
            seen = await gql(client, FOUR_EYES_ONE, {"id": request_id}, token=token)
            assert seen["errors"][0]["extensions"]["code"] == expected, (action, seen)
            assert seen["data"] is None or seen["data"]["approvalRequest"] is None
        own = await gql(client, FOUR_EYES_DECIDE, decision, token=requester)
        # The requester: an admin is NOT_ALLOWED as the requester; a reviewer or supervisor
        # who asked is no admin at all.
        assert refusal(own, "decideApprovalRequest") in ("NOT_ALLOWED", "FORBIDDEN"), own
        if action in ("REFUND_PAYMENT", "REFUND", "CONFIRM_SUSPENSION"):
            assert refusal(own, "decideApprovalRequest") == "NOT_ALLOWED", (action, own)
        assert (await ApprovalRequest.get(id=request_id)).status == "PENDING", action
        done = await gql(client, FOUR_EYES_DECIDE, decision, token=second)
        assert refusal(done, "decideApprovalRequest") == "ok", (action, done)
        assert done["data"]["decideApprovalRequest"]["request"]["status"] == "APPROVED"
