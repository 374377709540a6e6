"""The admin console: settings (fees, questions, review targets), staff accounts, suspension,
the bulk extension, dead outbox messages, refunds, the audit log, and its pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from server import clock
from server.config import ROOT
from server.context import session_cookie_name
from server.domain.identity import saudi_id_check_digit
from server.integrations.payments import GatewayError
from server.integrations.payments.sandbox import SandboxGateway
from server.models.accounts import Account, Session
from server.models.applications import Application
from server.models.audit import AuditEntry
from server.models.outbox import OutboxMessage
from server.models.payments import Payment, PaymentEvent
from server.models.practitioners import Practitioner, RecordChange, Registration
from server.pages.plumbing import operations_in
from server.resolvers.accounts.sessions import open_session
from server.resolvers.kernel import settings as settings_resolvers
from tests.builders import imported_record, staff_session
from tests.conftest import ROOT_CONTRACT, assert_token_ended, gql
from tests.renewals.test_renewal import ready_practitioner, start_answer_attach

PASSWORD = "quiet meadow lantern 9"
OPS = operations_in(ROOT / "web" / "operations" / "admin.graphql")


def op(name: str) -> str:
    return OPS.get(name) or ROOT_CONTRACT.operation(name)


DECIDE_APPROVAL = """mutation($input: DecideApprovalRequestInput!) {
  decideApprovalRequest(input: $input) { request { id status count } errors { field code } }
}"""



async def practitioner_token():
    account = await Account.create(email=f"p{uuid.uuid4().hex[:6]}@example.com",
                                   mobile="+966500000001", first_name="Sara",
                                   family_name="Q", password_hash="x", status="ACTIVE")
    return account, await open_session(account)


def payload(body: dict, field: str) -> dict:
    assert "errors" not in body, body
    return body["data"][field]


def codes(result: dict) -> dict[str | None, str]:
    return {e["field"]: e["code"] for e in result["errors"]}


# ------------------------------------------------------------------ who may

ADMIN_CALLS = [
    ("AdminFees", {}), ("AdminQuestions", {}), ("AdminReviewTargets", {}), ("AdminStaff", {}),
    ("AdminRegistration", {"registrationNumber": "24-R-0000101"}),
    ("AdminDeadMessages", {}), ("AdminPayments", {}), ("AdminRefundRequests", {}),
    ("AdminAuditLog", {}),
    ("AdminUpdateFees", {"input": {"items": [{"key": "GOOD_STANDING", "amount": "120"}]}}),
    ("AdminUpdateQuestions", {"input": {"questions": []}}),
    ("AdminUpdateReviewTargets", {"input": {"items": [{"kind": "RENEWAL", "days": 2}]}}),
    ("AdminCreateStaff", {"input": {"email": "x@sijil.example", "role": "reviewer",
                                    "password": PASSWORD}}),
    ("AdminDisableStaff", {"input": {"accountId": str(uuid.uuid4())}}),
    ("AdminResetAuthenticator", {"input": {"accountId": str(uuid.uuid4())}}),
    ("AdminSuspendRegistration", {"input": {"registrationNumber": "1", "reason": "r"}}),
    ("AdminReinstateRegistration", {"input": {"registrationNumber": "1", "reason": "r"}}),
    ("AdminExtendRegistrations", {"input": {"expiringFrom": "2030-01-01",
                                            "expiringTo": "2030-01-31", "months": 3}}),
    ("AdminRetryMessage", {"input": {"id": "1"}}),
    ("AdminDecideRefund", {"input": {"paymentId": str(uuid.uuid4()), "approve": True}}),
]


async def test_only_admins_may_use_the_console(client):
    _, reviewer = await staff_session("reviewer")
    _, practitioner = await practitioner_token()
    for name, variables in ADMIN_CALLS:
        for token, code in ((reviewer, "FORBIDDEN"), (practitioner, "FORBIDDEN"),
                            (None, "UNAUTHENTICATED")):
            body = await gql(client, op(name), variables, token=token)
            assert body.get("errors"), (name, code)
            assert body["errors"][0]["extensions"]["code"] == code, (name, body)
    # Nothing changed on the way.
    assert await settings_resolvers.fee_schedule() is settings_resolvers.fees.DEFAULT_SCHEDULE
    assert not await Account.exists(email="x@sijil.example")


# ------------------------------------------------------------------ settings

async def test_the_fee_schedule_is_edited_item_by_item(client):
    admin, token = await staff_session("admin")
    done = payload(await gql(client, op("AdminUpdateFees"), {"input": {"items": [
        {"key": "GOOD_STANDING", "amount": "120.5"},
        {"key": "REGISTRATION_YEAR_CONSULTANT", "amount": "300"}]}}, token=token),
        "updateFeeSchedule")
    assert done["errors"] == []
    amounts = {i["key"]: i["amount"]["amount"] for i in done["items"]}
    assert amounts["GOOD_STANDING"] == "120.50"
    assert amounts["REGISTRATION_YEAR_CONSULTANT"] == "300.00"
    assert amounts["CPD_RECOGNITION"] == "50.00"
    schedule = await settings_resolvers.fee_schedule()
    assert schedule["GOOD_STANDING"] == Decimal("120.50")
    listed = payload(await gql(client, op("AdminFees"), token=token), "feeSchedule")
    assert {i["key"]: i["amount"]["amount"] for i in listed}["GOOD_STANDING"] == "120.50"
    entry = await AuditEntry.get(action="settings.fees")
    assert entry.actor_id == admin.id

    for items, field in (
            ([{"key": "NO_SUCH_FEE", "amount": "10"}], "items.0.key"),
            ([{"key": "GOOD_STANDING", "amount": "0"}], "items.0.amount"),
            ([{"key": "GOOD_STANDING", "amount": "-5"}], "items.0.amount"),
            ([{"key": "GOOD_STANDING", "amount": "100000.01"}], "items.0.amount"),
            ([{"key": "GOOD_STANDING", "amount": "12.345"}], "items.0.amount"),
            ([{"key": "GOOD_STANDING", "amount": "ten"}], "items.0.amount"),
            ([], "items")):
        refused = payload(await gql(client, op("AdminUpdateFees"), {"input": {
            "items": items}}, token=token), "updateFeeSchedule")
        assert field in codes(refused), (items, refused)
    assert (await settings_resolvers.fee_schedule())["GOOD_STANDING"] == Decimal("120.50")


async def test_an_edited_fee_schedule_prices_the_next_renewal(live, deliver, smtp_server,
                                                              sms_gateway):
    _, admin = await staff_session("admin")
    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    renewal_id = await start_answer_attach(live, token, years=3)
    done = payload(await gql(live.client, op("AdminUpdateFees"), {"input": {"items": [
        {"key": "REGISTRATION_YEAR_CONSULTANT", "amount": "275.00"}]}}, token=admin),
        "updateFeeSchedule")
    assert done["errors"] == []
    view = payload(await gql(live.client, op("Renewal"), {"id": renewal_id}, token=token),
                   "renewal")
    assert view["fee"] == {"amount": "825.00", "currency": "SAR"}
    submitted = payload(await gql(live.client, op("SubmitRenewal"), {"input": {
        "renewalId": renewal_id}}, token=token), "submitRenewal")
    assert submitted["errors"] == []
    assert (await Application.get(id=renewal_id)).fee == Decimal("825.00")
    # Fixed at submission: a later edit does not change it.
    await gql(live.client, op("AdminUpdateFees"), {"input": {"items": [
        {"key": "REGISTRATION_YEAR_CONSULTANT", "amount": "999.00"}]}}, token=admin)
    view = payload(await gql(live.client, op("Renewal"), {"id": renewal_id}, token=token),
                   "renewal")
    assert view["fee"]["amount"] == "825.00"


async def test_an_edited_question_set_shows_in_the_renewal(live, deliver, smtp_server,
                                                           sms_gateway):
    _, admin = await staff_session("admin")
    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    questions = [
        {"code": "PRACTISING_IN_KINGDOM", "textAr": "هل تمارس المهنة في المملكة حاليًا؟",
         "textEn": "Are you practising in the Kingdom now?", "riskAnswer": "NO"},
        {"code": "hepatitis_b", "textAr": "هل أنت محصّن ضد التهاب الكبد (ب)؟",
         "textEn": "Are you vaccinated against hepatitis B?", "riskAnswer": "NO",
         "requiresDocument": "EVIDENCE"},
    ]
    done = payload(await gql(live.client, op("AdminUpdateQuestions"), {"input": {
        "questions": questions}}, token=admin), "updateRenewalQuestions")
    assert done["errors"] == []
    assert [q["code"] for q in done["questions"]] == ["PRACTISING_IN_KINGDOM", "HEPATITIS_B"]

    started = payload(await gql(live.client, op("StartRenewal"), {"input": {"years": 1}},
                                token=token), "startRenewal")
    renewal_id = started["renewal"]["id"]
    view = payload(await gql(live.client, op("Renewal"), {"id": renewal_id}, token=token),
                   "renewal")
    assert [(q["code"], q["text"]) for q in view["questions"]] == [
        ("PRACTISING_IN_KINGDOM", "Are you practising in the Kingdom now?"),
        ("HEPATITIS_B", "Are you vaccinated against hepatitis B?")]
    # The old questions are no longer accepted; the new one is, and asks for its document.
    old = payload(await gql(live.client, op("AnswerRenewalQuestions"), {"input": {
        "renewalId": renewal_id, "answers": [{"code": "VALID_BLS", "answer": "YES"}]}},
        token=token), "answerRenewalQuestions")
    assert old["errors"][0]["code"] == "INVALID"
    answered = payload(await gql(live.client, op("AnswerRenewalQuestions"), {"input": {
        "renewalId": renewal_id, "answers": [
            {"code": "PRACTISING_IN_KINGDOM", "answer": "YES"},
            {"code": "HEPATITIS_B", "answer": "YES"}]}}, token=token),
        "answerRenewalQuestions")
    assert answered["errors"] == []
    view = payload(await gql(live.client, op("Renewal"), {"id": renewal_id}, token=token),
                   "renewal")
    assert {m["code"] for m in view["missing"]} == {"EMPLOYER_LETTER", "EVIDENCE"}


async def test_bad_question_sets_are_refused(client):
    _, admin = await staff_session("admin")
    good = {"code": "A", "textAr": "سؤال؟", "textEn": "A question?"}
    for questions, field, code in (
            ([], "questions", "REQUIRED"),
            ([{**good, "textAr": " "}], "questions.0.textAr", "REQUIRED"),
            ([{**good, "textEn": ""}], "questions.0.textEn", "REQUIRED"),
            ([{**good, "code": ""}], "questions.0.code", "REQUIRED"),
            ([{**good, "code": "A B"}], "questions.0.code", "INVALID"),
            ([good, good], "questions.1.code", "TAKEN"),
            ([{**good, "riskAnswer": "MAYBE"}], "questions.0.riskAnswer", "INVALID"),
            ([{**good, "requiresDocument": "PASSPORT_PHOTO_X"}],
             "questions.0.requiresDocument", "INVALID")):
        refused = payload(await gql(client, op("AdminUpdateQuestions"), {"input": {
            "questions": questions}}, token=admin), "updateRenewalQuestions")
        assert codes(refused).get(field) == code, (questions, refused)
    listed = payload(await gql(client, op("AdminQuestions"), token=admin),
                     "renewalQuestionSet")
    assert [q["code"] for q in listed] == ["PRACTISING_IN_KINGDOM", "DISCIPLINARY_ACTION",
                                           "VALID_BLS"]


async def test_review_targets_are_edited(client):
    _, admin = await staff_session("admin")
    done = payload(await gql(client, op("AdminUpdateReviewTargets"), {"input": {"items": [
        {"kind": "RENEWAL", "days": 2}, {"kind": "GOOD_STANDING", "days": 4}]}}, token=admin),
        "updateReviewTargets")
    assert done["errors"] == []
    found = await settings_resolvers.review_targets()
    assert found["RENEWAL"] == 2 and found["GOOD_STANDING"] == 4
    assert found["CPD_RECOGNITION"] == 5 and found["CLASSIFICATION"] == 10
    for items, field in (([{"kind": "NOPE", "days": 3}], "items.0.kind"),
                         ([{"kind": "RENEWAL", "days": 0}], "items.0.days"),
                         ([{"kind": "RENEWAL", "days": 366}], "items.0.days")):
        refused = payload(await gql(client, op("AdminUpdateReviewTargets"), {"input": {
            "items": items}}, token=admin), "updateReviewTargets")
        assert field in codes(refused)


# ------------------------------------------------------------------ staff accounts

async def test_staff_accounts_are_created_disabled_and_reset(client):
    admin, token = await staff_session("admin", "boss@sijil.example")
    made = payload(await gql(client, op("AdminCreateStaff"), {"input": {
        "email": "New.Reviewer@sijil.example", "role": "reviewer", "password": PASSWORD}},
        token=token), "createStaffAccount")
    assert made["errors"] == []
    assert made["account"]["roles"] == ["REVIEWER"]
    first_secret = parse_qs(urlsplit(made["otpauthUri"]).query)["secret"][0]
    listed = payload(await gql(client, op("AdminStaff"), token=token), "staffAccounts")
    assert {a["email"] for a in listed} == {"boss@sijil.example", "new.reviewer@sijil.example"}

    for bad, field in (({"email": "nope", "role": "reviewer", "password": PASSWORD}, "email"),
                       ({"email": "a@sijil.example", "role": "king", "password": PASSWORD},
                        "role"),
                       ({"email": "a@sijil.example", "role": "admin", "password": "short"},
                        "password"),
                       ({"email": "new.reviewer@sijil.example", "role": "admin",
                         "password": PASSWORD}, "email")):
        refused = payload(await gql(client, op("AdminCreateStaff"), {"input": bad},
                                    token=token), "createStaffAccount")
        assert field in codes(refused) and refused["otpauthUri"] is None

    reviewer = await Account.get(email="new.reviewer@sijil.example")
    reviewer_token = await open_session(reviewer)
    reset = payload(await gql(client, op("AdminResetAuthenticator"), {"input": {
        "accountId": str(reviewer.id)}}, token=token), "resetStaffAuthenticator")
    assert reset["errors"] == []
    second_secret = parse_qs(urlsplit(reset["otpauthUri"]).query)["secret"][0]
    assert second_secret != first_secret
    assert (await Account.get(id=reviewer.id)).totp_secret == second_secret
    assert not await Session.exists(account_id=reviewer.id)
    await assert_token_ended(client, reviewer_token)

    reviewer_token = await open_session(reviewer)
    disabled = payload(await gql(client, op("AdminDisableStaff"), {"input": {
        "accountId": str(reviewer.id)}}, token=token), "disableStaffAccount")
    assert disabled["errors"] == [] and disabled["account"]["status"] == "DISABLED"
    assert not await Session.exists(account_id=reviewer.id)
    again = payload(await gql(client, op("AdminDisableStaff"), {"input": {
        "accountId": str(reviewer.id)}}, token=token), "disableStaffAccount")
    assert codes(again) == {"accountId": "INVALID_STATE"}
    own = payload(await gql(client, op("AdminDisableStaff"), {"input": {
        "accountId": str(admin.id)}}, token=token), "disableStaffAccount")
    assert codes(own) == {"accountId": "NOT_ALLOWED"}
    await practitioner_token()
    someone = await Account.exclude(roles__contains="ADMIN").exclude(
        roles__contains="REVIEWER").first()
    not_staff = payload(await gql(client, op("AdminDisableStaff"), {"input": {
        "accountId": str(someone.id)}}, token=token), "disableStaffAccount")
    assert codes(not_staff) == {"accountId": "NOT_FOUND"}
    actions = set(await AuditEntry.filter(actor_id=admin.id).values_list("action", flat=True))
    assert {"admin.staff_created", "admin.staff_disabled",
            "admin.staff_authenticator_reset"} <= actions


# ------------------------------------------------------------------ suspension

async def test_a_suspended_registration_shows_in_the_register_and_cannot_renew(
        live, deliver, smtp_server, sms_gateway):
    admin, token = await staff_session("admin")
    _, practitioner_token_, practitioner = await ready_practitioner(
        live, deliver, smtp_server, sms_gateway)
    registration = await Registration.get(practitioner_id=practitioner.id)
    from server.models.certificates import Certificate

    good_standing = await Certificate.create(
        code="GS-SUSPEND-TEST", kind="GOOD_STANDING", practitioner_id=practitioner.id,
        valid_until=clock.today() + dt.timedelta(days=90))
    check = "query($c: String!) { verifyCertificate(code: $c) { valid } }"
    assert (await gql(live.client, check, {"c": good_standing.code}))["data"][
        "verifyCertificate"] == {"valid": True}
    missing = payload(await gql(live.client, op("AdminSuspendRegistration"), {"input": {
        "registrationNumber": registration.number, "reason": "  "}}, token=token),
        "suspendRegistration")
    assert codes(missing) == {"reason": "REQUIRED"}
    unknown = payload(await gql(live.client, op("AdminSuspendRegistration"), {"input": {
        "registrationNumber": "99-X-9999999", "reason": "Board decision"}}, token=token),
        "suspendRegistration")
    assert codes(unknown) == {"registrationNumber": "NOT_FOUND"}

    done = payload(await gql(live.client, op("AdminSuspendRegistration"), {"input": {
        "registrationNumber": registration.number.lower(), "reason": "Board decision 12"}},
        token=token), "suspendRegistration")
    assert done["errors"] == [] and done["registration"]["suspended"] is True
    public = payload(await gql(live.client, op("VerifyPractitioner"), {
        "registrationNumber": registration.number}), "verifyPractitioner")
    assert public["status"] == "SUSPENDED"
    # The good-standing certificate no longer holds; a reinstatement does not restore it.
    assert (await gql(live.client, check, {"c": good_standing.code}))["data"][
        "verifyCertificate"] == {"valid": False}
    refused = payload(await gql(live.client, op("StartRenewal"), {"input": {"years": 1}},
                                token=practitioner_token_), "startRenewal")
    assert refused["errors"][0]["code"] == "NOT_ALLOWED"
    change = await RecordChange.get(practitioner_id=practitioner.id,
                                    what="REGISTRATION_SUSPENDED")
    assert change.actor_id == admin.id and change.changes["reason"] == "Board decision 12"
    twice = payload(await gql(live.client, op("AdminSuspendRegistration"), {"input": {
        "registrationNumber": registration.number, "reason": "again"}}, token=token),
        "suspendRegistration")
    assert codes(twice) == {"registrationNumber": "INVALID_STATE"}

    assert done["approvalRequest"]["action"] == "CONFIRM_SUSPENSION"
    asked = payload(await gql(live.client, op("AdminReinstateRegistration"), {"input": {
        "registrationNumber": registration.number, "reason": "Appeal upheld"}}, token=token),
        "reinstateRegistration")
    # Four eyes: still suspended until a second admin approves the reinstatement.
    assert asked["errors"] == [] and asked["registration"]["suspended"] is True
    assert asked["approvalRequest"]["status"] == "PENDING"
    _, second = await staff_session("admin")
    back = payload(await gql(live.client, DECIDE_APPROVAL, {"input": {
        "requestId": asked["approvalRequest"]["id"], "approve": True}}, token=second),
        "decideApprovalRequest")
    assert back["errors"] == [] and back["request"]["status"] == "APPROVED"
    public = payload(await gql(live.client, op("VerifyPractitioner"), {
        "registrationNumber": registration.number}), "verifyPractitioner")
    assert public["status"] == "ACTIVE"
    assert (await Certificate.get(id=good_standing.id)).revoked_at is not None
    assert await RecordChange.exists(practitioner_id=practitioner.id,
                                     what="REGISTRATION_REINSTATED")
    await deliver()
    subjects = [m.subject for m in smtp_server.messages()]
    assert any("suspended" in s or "أُوقف" in s for s in subjects), subjects
    assert any("reinstated" in s or "أُعيد تفعيل" in s for s in subjects), subjects


# ------------------------------------------------------------------ the policy action

async def test_the_extension_moves_exactly_the_registrations_in_the_window(client, queries):
    admin, token = await staff_session("admin")
    today = clock.today()
    window = (today + dt.timedelta(days=100), today + dt.timedelta(days=130))
    made = {}
    for n, days in enumerate((99, 100, 115, 115, 130, 131)):
        practitioner = await imported_record(number=f"24-R-{1000 + n:07d}",
                                             identity=f"20000000{n}" + saudi_id_check_digit(
                                                 f"20000000{n}"),
                                             valid_for_days=days)
        made[n] = (practitioner, today + dt.timedelta(days=days))
    # Two of those in the window have accounts (and get an email).
    for n in (1, 2):
        account = await Account.create(email=f"holder{n}@example.com", mobile="+966500000002",
                                       first_name="Sara", family_name="Q", password_hash="x",
                                       status="ACTIVE", language="en" if n == 1 else "ar")
        await Practitioner.filter(id=made[n][0].id).update(account_id=account.id)

    for variables, field in (
            ({"expiringFrom": window[1].isoformat(), "expiringTo": window[0].isoformat(),
              "months": 3}, "expiringTo"),
            ({"expiringFrom": window[0].isoformat(), "expiringTo": window[1].isoformat(),
              "months": 0}, "months"),
            ({"expiringFrom": window[0].isoformat(), "expiringTo": window[1].isoformat(),
              "months": 25}, "months"),
            ({"expiringTo": window[1].isoformat(), "months": 3}, "expiringFrom")):
        refused = payload(await gql(client, op("AdminExtendRegistrations"), {
            "input": variables}, token=token), "extendRegistrations")
        assert field in codes(refused), (variables, refused)

    asked = payload(await gql(client, op("AdminExtendRegistrations"), {"input": {
        "expiringFrom": window[0].isoformat(), "expiringTo": window[1].isoformat(),
        "months": 6}}, token=token), "extendRegistrations")
    # Four eyes: nothing moves until a second admin approves.
    assert asked["extended"] is None and asked["errors"] == []
    assert asked["approvalRequest"]["status"] == "PENDING"
    assert asked["approvalRequest"]["count"] == 4
    for practitioner, before in made.values():
        assert (await Registration.get(practitioner_id=practitioner.id)).valid_until == before
    decide = DECIDE_APPROVAL
    own = payload(await gql(client, decide, {"input": {
        "requestId": asked["approvalRequest"]["id"], "approve": True}}, token=token),
        "decideApprovalRequest")
    assert codes(own) == {"requestId": "NOT_ALLOWED"}
    second, second_token = await staff_session("admin")
    with queries() as counted:
        done = payload(await gql(client, decide, {"input": {
            "requestId": asked["approvalRequest"]["id"], "approve": True}},
            token=second_token), "decideApprovalRequest")
    assert done["errors"] == [] and done["request"]["status"] == "APPROVED"
    assert done["request"]["count"] == 4
    from server.domain.dates import add_months

    for n, (practitioner, before) in made.items():
        after = (await Registration.get(practitioner_id=practitioner.id)).valid_until
        expected = add_months(before, 6) if 1 <= n <= 4 else before
        assert after == expected, n
        assert await RecordChange.exists(practitioner_id=practitioner.id,
                                         what="REGISTRATION_EXTENDED") == (1 <= n <= 4)
    mails = await OutboxMessage.filter(channel="email").order_by("recipient")
    assert [m.recipient for m in mails] == ["holder1@example.com", "holder2@example.com"]
    assert "extended" in mails[0].payload["subject"]
    entry = await AuditEntry.get(action="admin.registrations_extended")
    assert entry.details["count"] == 4 and entry.actor_id == second.id
    assert entry.details["requested_by"] == str(admin.id)
    assert await AuditEntry.exists(action="approval.requested", actor_id=admin.id)
    assert await AuditEntry.exists(action="approval.approved", actor_id=second.id)
    # Reads do not grow with the number of registrations: session, the request, the locked
    # read, the accounts, the request answered; writes are one UPDATE per distinct expiry
    # date plus two bulk INSERTs. (The mutation rate limit's own counter reads are a
    # constant per request, not counted.)
    selects = [q for q in counted.queries if q.lstrip().upper().startswith("SELECT")
               and "rate_counter" not in q]
    assert len(selects) <= 6, selects


# ------------------------------------------------------------------ outbox

async def test_a_dead_message_is_listed_masked_and_retried(client, deliver, smtp_server):
    _, token = await staff_session("admin")
    now = dt.datetime.now(dt.UTC)
    dead = await OutboxMessage.create(
        channel="email", recipient="sara@example.com", status="DEAD", attempts=10,
        last_error="550 mailbox unavailable", next_attempt_at=now,
        payload={"subject": "Hello again", "text": "Body\n", "html": None})
    await OutboxMessage.create(channel="sms", recipient="+966512345678", status="DEAD",
                               attempts=10, last_error="503", next_attempt_at=now,
                               payload={"body": "x"})
    listed = payload(await gql(client, op("AdminDeadMessages"), token=token),
                     "deadOutboxMessages")
    assert {(m["channel"], m["recipient"]) for m in listed} == {
        ("email", "s***@example.com"), ("sms", "•••5678")}
    assert all("+966512345678" not in str(m) and "sara@" not in str(m) for m in listed)
    retried = payload(await gql(client, op("AdminRetryMessage"), {"input": {
        "id": str(dead.id)}}, token=token), "retryOutboxMessage")
    assert retried["errors"] == [] and retried["message"]["status"] == "PENDING"
    assert retried["message"]["attempts"] == 0
    again = payload(await gql(client, op("AdminRetryMessage"), {"input": {
        "id": str(dead.id)}}, token=token), "retryOutboxMessage")
    assert codes(again) == {"id": "INVALID_STATE"}
    unknown = payload(await gql(client, op("AdminRetryMessage"), {"input": {"id": "999999"}},
                              token=token), "retryOutboxMessage")
    assert codes(unknown) == {"id": "NOT_FOUND"}
    await deliver()
    assert [m.subject for m in smtp_server.messages()] == ["Hello again"]
    assert (await OutboxMessage.get(id=dead.id)).status == "SENT"


# ------------------------------------------------------------------ payments and refunds

async def paid_and_cancelled(email: str = "payer@example.com",
                             refund_status: str = "REQUESTED") -> Payment:
    applicant = await Account.create(email=email, mobile="+966500000003", first_name="Huda",
                                     family_name="A", password_hash="x", status="ACTIVE",
                                     language="en")
    application = await Application.create(kind="GOOD_STANDING", status="CANCELLED",
                                           applicant=applicant, fee=Decimal("100.00"))
    payment = await Payment.create(
        application=application, provider="sandbox", method="MADA", status="PAID",
        amount=Decimal("100.00"), idempotency_key=uuid.uuid4().hex,
        provider_payment_id=f"sbx_{uuid.uuid4()}", paid_at=dt.datetime.now(dt.UTC),
        refund_status=refund_status, refund_requested_at=dt.datetime.now(dt.UTC))
    await PaymentEvent.create(provider="sandbox", event_id=f"evt_{uuid.uuid4().hex[:8]}",
                              payment=payment, verified=True, outcome="applied: PAID")
    return payment


async def test_a_refund_approved_is_refunded_by_the_gateway(client, monkeypatch):
    _, token = await staff_session("admin")
    payment = await paid_and_cancelled()
    other = await paid_and_cancelled("other@example.com", refund_status="")
    asked = []
    real_refund = SandboxGateway.refund

    async def spy(self, provider_payment_id, amount_halalas):
        asked.append((provider_payment_id, amount_halalas))
        return await real_refund(self, provider_payment_id, amount_halalas)

    monkeypatch.setattr(SandboxGateway, "refund", spy)
    requests = payload(await gql(client, op("AdminRefundRequests"), token=token),
                       "refundRequests")
    assert [r["id"] for r in requests] == [str(payment.id)]
    assert requests[0]["callbacks"][0]["verified"] is True
    listed = payload(await gql(client, op("AdminPayments"), {"status": "PAID"}, token=token),
                     "adminPayments")
    assert {e["node"]["id"] for e in listed["edges"]} == {str(payment.id), str(other.id)}
    first = payload(await gql(client, op("AdminPayments"), {"first": 1}, token=token),
                    "adminPayments")
    assert first["pageInfo"]["hasNextPage"] is True
    second = payload(await gql(client, op("AdminPayments"), {
        "first": 1, "after": first["pageInfo"]["endCursor"]}, token=token), "adminPayments")
    assert {first["edges"][0]["node"]["id"], second["edges"][0]["node"]["id"]} == {
        str(payment.id), str(other.id)}

    done = payload(await gql(client, op("AdminDecideRefund"), {"input": {
        "paymentId": str(payment.id), "approve": True}}, token=token), "decideRefund")
    assert done["errors"] == []
    assert done["payment"]["status"] == "REFUNDED"
    assert done["payment"]["refundStatus"] == "REFUNDED"
    assert done["payment"]["refundedAmount"]["amount"] == "100.00"
    assert asked == [(payment.provider_payment_id, 10000)]
    mail = await OutboxMessage.get(recipient="payer@example.com")
    assert "refund is paid out" in mail.payload["subject"]
    twice = payload(await gql(client, op("AdminDecideRefund"), {"input": {
        "paymentId": str(payment.id), "approve": True}}, token=token), "decideRefund")
    assert codes(twice) == {"paymentId": "INVALID_STATE"}
    not_asked = payload(await gql(client, op("AdminDecideRefund"), {"input": {
        "paymentId": str(other.id), "approve": True}}, token=token), "decideRefund")
    assert codes(not_asked) == {"paymentId": "INVALID_STATE"}
    assert len(asked) == 1
    assert await AuditEntry.exists(action="admin.refund_refunded", target_id=str(payment.id))


async def test_a_gateway_error_changes_nothing_and_a_decline_needs_a_reason(client,
                                                                           monkeypatch):
    _, token = await staff_session("admin")
    payment = await paid_and_cancelled()

    async def failing(self, provider_payment_id, amount_halalas):
        raise GatewayError("down")

    monkeypatch.setattr(SandboxGateway, "refund", failing)
    failed = payload(await gql(client, op("AdminDecideRefund"), {"input": {
        "paymentId": str(payment.id), "approve": True}}, token=token), "decideRefund")
    assert codes(failed) == {None: "PAYMENT_FAILED"}
    unchanged = await Payment.get(id=payment.id)
    assert (unchanged.status, unchanged.refund_status, unchanged.refunded_amount) == (
        "PAID", "REQUESTED", Decimal("0"))
    assert not await OutboxMessage.exists()

    no_reason = payload(await gql(client, op("AdminDecideRefund"), {"input": {
        "paymentId": str(payment.id), "approve": False}}, token=token), "decideRefund")
    assert codes(no_reason) == {"reason": "REQUIRED"}
    declined = payload(await gql(client, op("AdminDecideRefund"), {"input": {
        "paymentId": str(payment.id), "approve": False, "reason": "Reviewed already"}},
        token=token), "decideRefund")
    assert declined["errors"] == [] and declined["payment"]["refundStatus"] == "DECLINED"
    assert declined["payment"]["status"] == "PAID"
    mail = await OutboxMessage.get(recipient="payer@example.com")
    assert "refused" in mail.payload["subject"] and "Reviewed already" in mail.payload["text"]


# ------------------------------------------------------------------ audit log

async def test_the_audit_log_filters_and_pages_newest_first(client):
    admin, token = await staff_session("admin")
    other = uuid.uuid4()
    for n in range(5):
        await AuditEntry.create(action=f"admin.thing_{n}", actor_id=admin.id,
                                target_type="x", target_id=f"t{n}", details={"n": n})
    await AuditEntry.create(action="login.failed", actor_id=other, target_id="t0")
    page = payload(await gql(client, op("AdminAuditLog"), {
        "first": 2, "actionPrefix": "admin.thing"}, token=token), "auditLog")
    assert [e["node"]["action"] for e in page["edges"]] == ["admin.thing_4", "admin.thing_3"]
    assert page["edges"][0]["node"]["actorEmail"] == admin.email
    following = payload(await gql(client, op("AdminAuditLog"), {
        "first": 2, "actionPrefix": "admin.thing", "after": page["pageInfo"]["endCursor"]},
        token=token), "auditLog")
    assert [e["node"]["action"] for e in following["edges"]] == ["admin.thing_2",
                                                                 "admin.thing_1"]
    by_target = payload(await gql(client, op("AdminAuditLog"), {"targetId": "t0"},
                                  token=token), "auditLog")
    assert {e["node"]["action"] for e in by_target["edges"]} == {"admin.thing_0",
                                                                 "login.failed"}
    by_actor = payload(await gql(client, op("AdminAuditLog"), {"actorId": str(other)},
                                 token=token), "auditLog")
    assert [e["node"]["action"] for e in by_actor["edges"]] == ["login.failed"]
    today = clock.today()
    dated = payload(await gql(client, op("AdminAuditLog"), {
        "dateFrom": (today - dt.timedelta(days=1)).isoformat(),
        "dateTo": (today + dt.timedelta(days=1)).isoformat(), "actionPrefix": "admin.thing"},
        token=token), "auditLog")
    assert len(dated["edges"]) == 5
    old = payload(await gql(client, op("AdminAuditLog"), {
        "dateTo": (today - dt.timedelta(days=2)).isoformat()}, token=token), "auditLog")
    assert old["edges"] == []
    bad = await gql(client, op("AdminAuditLog"), {"actorId": "not-a-uuid"}, token=token)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# ------------------------------------------------------------------ pages

SECTIONS = ("/admin", "/admin/fees", "/admin/questions", "/admin/review-targets",
            "/admin/renewal-policy",
            "/admin/staff", "/admin/registrations", "/admin/extend", "/admin/outbox",
            "/admin/payments", "/admin/refunds", "/admin/audit", "/admin/holidays")


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_the_admin_pages_render_for_admins(browser_like, settings, lang):
    _, token = await staff_session("admin")
    await paid_and_cancelled()
    browser_like.cookies.set(session_cookie_name(settings), token)
    browser_like.cookies.set("lang", lang)
    for path in SECTIONS:
        page = await browser_like.get(path, headers={"accept-language": lang})
        assert page.status_code == 200, (path, page.text[:500])
        assert f'lang="{lang}"' in page.text
    home = await browser_like.get("/admin", headers={"accept-language": lang})
    for path in SECTIONS[1:]:
        assert f'href="{path}"' in home.text


async def test_the_admin_pages_refuse_others(browser_like, settings):
    anonymous = await browser_like.get("/admin")
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    _, token = await staff_session("reviewer")
    browser_like.cookies.set(session_cookie_name(settings), token)
    for path in SECTIONS:
        assert (await browser_like.get(path)).status_code == 403, path


async def test_the_admin_forms_work_without_and_with_htmx(browser_like, settings):
    from tests.conftest import csrf_of

    admin, token = await staff_session("admin")
    browser_like.cookies.set(session_cookie_name(settings), token)
    browser_like.cookies.set("lang", "en")
    csrf = csrf_of(browser_like)
    fees = {k: str(v) for k, v in settings_resolvers.fees.DEFAULT_SCHEDULE.items()}

    saved = await browser_like.post("/admin/fees", data={
        **fees, "GOOD_STANDING": "130", "csrf_token": csrf})
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/fees?saved=1"
    assert (await settings_resolvers.fee_schedule())["GOOD_STANDING"] == Decimal("130.00")
    refused = await browser_like.post("/admin/fees", data={
        **fees, "GOOD_STANDING": "0", "csrf_token": csrf}, headers={"hx-request": "true"})
    assert refused.status_code == 422
    assert 'href="#field-GOOD_STANDING"' in refused.text and "<html" not in refused.text

    questions = await browser_like.post("/admin/questions", data={
        "rows": "2", "csrf_token": csrf,
        "q0-code": "VALID_BLS", "q0-textAr": "هل لديك شهادة BLS سارية؟",
        "q0-textEn": "Do you hold a valid BLS certificate?", "q0-riskAnswer": "NO",
        "q0-requiresDocument": "BLS_CERTIFICATE",
        "q1-code": "NEW_ONE", "q1-textAr": "", "q1-textEn": "New?"})
    assert questions.status_code == 422 and 'href="#field-q1-textAr"' in questions.text
    questions = await browser_like.post("/admin/questions", data={
        "rows": "2", "csrf_token": csrf,
        "q0-code": "VALID_BLS", "q0-textAr": "هل لديك شهادة BLS سارية؟",
        "q0-textEn": "Do you hold a valid BLS certificate?", "q0-riskAnswer": "NO",
        "q0-requiresDocument": "BLS_CERTIFICATE"})
    assert questions.status_code == 303
    assert [q.code for q in await settings_resolvers.renewal_questions()] == ["VALID_BLS"]

    targets = {k.value: "7" for k in settings_resolvers.ApplicationKind}
    assert (await browser_like.post("/admin/review-targets", data={
        **targets, "csrf_token": csrf})).status_code == 303
    assert (await settings_resolvers.review_targets())["RENEWAL"] == 7

    assert await settings_resolvers.auto_approve_renewals() is True  # the default
    unchosen = await browser_like.post("/admin/renewal-policy", data={"csrf_token": csrf},
                                       headers={"hx-request": "true"})
    assert unchosen.status_code == 422 and 'href="#field-policy"' in unchosen.text
    assert (await browser_like.post("/admin/renewal-policy", data={
        "policy": "REVIEW", "csrf_token": csrf})).status_code == 303
    assert await settings_resolvers.auto_approve_renewals() is False
    shown = await browser_like.get("/admin/renewal-policy")
    assert re.search(r'value="REVIEW"\s+checked', shown.text)

    created = await browser_like.post("/admin/staff", data={
        "email": "page.reviewer@sijil.example", "role": "reviewer", "password": PASSWORD,
        "firstName": "Page", "familyName": "Reviewer", "csrf_token": csrf})
    assert created.status_code == 200 and "otpauth://totp/" in created.text
    reviewer = await Account.get(email="page.reviewer@sijil.example")
    reset = await browser_like.post(f"/admin/staff/{reviewer.id}/reset-authenticator",
                                    data={"csrf_token": csrf})
    assert reset.status_code == 200 and "otpauth://totp/" in reset.text
    disabled = await browser_like.post(f"/admin/staff/{reviewer.id}/disable",
                                       data={"csrf_token": csrf})
    assert disabled.status_code == 303
    assert (await Account.get(id=reviewer.id)).status == "DISABLED"

    practitioner = await imported_record()
    number = (await Registration.get(practitioner_id=practitioner.id)).number
    found = await browser_like.get(f"/admin/registrations?number={number}")
    assert "Suspend the registration" in found.text
    no_reason = await browser_like.post("/admin/registrations", data={
        "registrationNumber": number, "action": "suspend", "reason": "",
        "csrf_token": csrf}, headers={"hx-request": "true"})
    assert no_reason.status_code == 422 and 'id="registration-status"' in no_reason.text
    suspended = await browser_like.post("/admin/registrations", data={
        "registrationNumber": number, "action": "suspend", "reason": "Board decision",
        "csrf_token": csrf})
    assert suspended.status_code == 303
    assert (await Registration.get(number=number)).suspended is True

    window = {"expiringFrom-day": "1", "expiringFrom-month": "1", "expiringFrom-year": "2000",
              "expiringTo-day": "31", "expiringTo-month": "12", "expiringTo-year": "2099",
              "months": "2", "csrf_token": csrf}
    preview = await browser_like.post("/admin/extend", data={**window, "step": "preview"})
    assert preview.status_code == 200 and number in preview.text
    assert "preview.csv?expiringFrom=2000-01-01" in preview.text
    listed = await browser_like.get("/admin/extend/preview.csv?expiringFrom=2000-01-01"
                                    "&expiringTo=2099-12-31&months=2")
    assert listed.text.startswith("\ufeff") and number in listed.text
    extended = await browser_like.post("/admin/extend", data={**window, "step": "confirm"})
    assert extended.status_code == 303
    assert re.fullmatch(r"/admin/approvals/[0-9a-f-]{36}\?done=asked",
                        extended.headers["location"])
    asked = await browser_like.get(extended.headers["location"])
    assert "a second admin must decide it" in asked.text
    bad = await browser_like.post("/admin/extend", data={"months": "x", "csrf_token": csrf})
    assert bad.status_code == 422

    dead = await OutboxMessage.create(channel="sms", recipient="+966512345678", status="DEAD",
                                      attempts=10, next_attempt_at=dt.datetime.now(dt.UTC),
                                      payload={"body": "x"})
    listing = await browser_like.get("/admin/outbox")
    assert "•••5678" in listing.text and "+966512345678" not in listing.text
    retried = await browser_like.post(f"/admin/outbox/{dead.id}/retry",
                                      data={"csrf_token": csrf})
    assert retried.status_code == 303
    assert (await OutboxMessage.get(id=dead.id)).status == "PENDING"

    payment = await paid_and_cancelled()
    declined = await browser_like.post(f"/admin/refunds/{payment.id}/decide", data={
        "decision": "decline", "reason": "", "csrf_token": csrf})
    assert declined.status_code == 422
    approved = await browser_like.post(f"/admin/refunds/{payment.id}/decide", data={
        "decision": "approve", "reason": "", "csrf_token": csrf})
    assert approved.status_code == 303
    assert (await Payment.get(id=payment.id)).status == "REFUNDED"

    log = await browser_like.get("/admin/audit?action=admin.")
    assert "admin.refund_refunded" in log.text and admin.email in log.text
    assert (await browser_like.get("/admin/audit?from=not-a-date")).status_code == 422


async def test_claim_conflicts_are_one_click_from_the_admin_console(
        browser_like, settings, client, deliver, smtp_server, sms_gateway):
    from tests.builders import CLAIM, claimed_practitioner
    from tests.journeys import signed_in_practitioner

    # A record already claimed, then someone else gives its three details.
    _, _, practitioner = await claimed_practitioner(client, deliver, smtp_server, sms_gateway)
    _, stranger = await signed_in_practitioner(
        client, deliver, smtp_server, sms_gateway, email="other@example.com",
        emailConfirmation="other@example.com", mobile="0551234568")
    refused = await gql(client, CLAIM, {"input": {
        "registrationNumber": "24-R-0000101", "identityNumber": practitioner.identity_number,
        "dateOfBirth": practitioner.date_of_birth.isoformat()}}, token=stranger)
    assert refused["data"]["claimPractitionerRecord"]["errors"][0]["code"] == "NOT_ALLOWED"

    _, token = await staff_session("admin")
    browser_like.cookies.set(session_cookie_name(settings), token)
    console = await browser_like.get("/admin")
    assert 'href="/admin/audit?action=claim.conflict"' in console.text
    listed = await browser_like.get("/admin/audit?action=claim.conflict")
    assert listed.status_code == 200 and "claim.conflict" in listed.text
    assert str(practitioner.id) in listed.text
