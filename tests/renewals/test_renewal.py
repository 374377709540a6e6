"""Registration renewal over GraphQL, paid through the sandbox gateway over real HTTP: the
hosted page sends a signed callback through the outbox to our webhook."""

import asyncio
import datetime as dt
import json

import pytest

from server import clock
from server.domain.applications import registration_valid_until
from server.integrations.payments.sandbox import SandboxGateway
from server.models.applications import Application, ApplicationDocument
from server.models.payments import Payment, PaymentEvent
from server.models.practitioners import CpdActivity, Experience, Registration
from tests.builders import claimed_practitioner, op, staff_session, upload
from tests.conftest import csrf_of, gql


async def ready_practitioner(live, deliver, smtp_server, sms_gateway, **record):
    """Claimed, with a current experience and enough recognised CPD hours."""
    account, token, practitioner = await claimed_practitioner(
        live.client, deliver, smtp_server, sms_gateway, **record)
    certificate = await upload(live.client, token)
    await Experience.create(practitioner=practitioner, city="Riyadh", country="SA",
                            workplace="KFMC", specialty="IM", start_date=dt.date(2018, 1, 1),
                            organization_type="GOVERNMENT", certificate_id=certificate)
    await CpdActivity.create(practitioner=practitioner, title="Annual conference",
                             provider="SHA", hours=90, recognised_hours=90,
                             completed_on=clock.today() - dt.timedelta(days=30),
                             status="RECOGNISED")
    return account, token, practitioner


async def start_answer_attach(live, token, years=1, bls="YES", disciplinary="NO"):
    started = (await gql(live.client, op("StartRenewal"), {"input": {"years": years}},
                         token=token))["data"]["startRenewal"]
    assert started["errors"] == [], started["errors"]
    renewal_id = started["renewal"]["id"]
    answered = (await gql(live.client, op("AnswerRenewalQuestions"), {"input": {
        "renewalId": renewal_id, "answers": [
            {"code": "PRACTISING_IN_KINGDOM", "answer": "YES"},
            {"code": "DISCIPLINARY_ACTION", "answer": disciplinary},
            {"code": "VALID_BLS", "answer": bls}]}}, token=token)
    )["data"]["answerRenewalQuestions"]
    assert answered["errors"] == []
    documents = [{"kind": "EMPLOYER_LETTER",
                  "documentId": await upload(live.client, token, "EMPLOYER_LETTER")}]
    if bls == "YES":
        documents.append({"kind": "BLS_CERTIFICATE",
                          "documentId": await upload(live.client, token, "BLS_CERTIFICATE")})
    if disciplinary == "YES":
        documents.append({"kind": "EVIDENCE",
                          "documentId": await upload(live.client, token, "EVIDENCE")})
    attached = (await gql(live.client, op("AttachDocuments"), {"input": {
        "applicationId": renewal_id, "documents": documents}}, token=token)
    )["data"]["attachDocuments"]
    assert attached["errors"] == []
    return renewal_id


async def pay_in_sandbox(live, deliver, token, application_id, outcome="paid",
                         method="MADA") -> dict:
    paid = (await gql(live.client, op("PayApplication"), {"input": {
        "applicationId": application_id, "method": method}}, token=token)
    )["data"]["payApplication"]
    assert paid["errors"] == [], paid["errors"]
    payment = paid["payment"]
    hosted = payment["redirectUrl"].removeprefix(live.url)
    page = await live.browser.get(hosted)
    assert page.status_code == 200
    done = await live.browser.post(hosted, data={"outcome": outcome,
                                                 "csrf_token": csrf_of(live.browser)})
    assert done.status_code == 303
    await deliver()  # the sandbox's signed callback goes out through the outbox
    return payment


async def assert_card_and_register(live, smtp_server, token: str, registration) -> None:
    """After an approved renewal (and `deliver()`): the receipt and the card by email with
    its PDF, the card by download for its owner, and the public register's new expiry."""
    import email as email_parser

    subjects = [m.subject for m in smtp_server.messages()]
    assert any("receipt" in s.lower() or "إيصال" in s for s in subjects), subjects
    card_mail = next(m for m in smtp_server.messages() if "card" in m.subject.lower()
                     or "بطاقة" in m.subject)
    raw = email_parser.message_from_bytes(
        (smtp_server.directory / f"{card_mail.id}.eml").read_bytes())
    [attached] = [part for part in raw.walk() if part.get_content_type() == "application/pdf"]
    assert attached.get_payload(decode=True).startswith(b"%PDF-")
    card = await live.client.get(f"/cards/{registration.number}.pdf",
                                 headers={"authorization": f"Bearer {token}"})
    assert card.status_code == 200 and card.content.startswith(b"%PDF-")
    public = (await gql(live.client, op("VerifyPractitioner"), {
        "registrationNumber": registration.number}))["data"]["verifyPractitioner"]
    assert public["validUntil"] == registration.valid_until.isoformat()
    assert public["status"] == "ACTIVE"


async def test_a_renewal_that_meets_every_rule_is_approved_the_moment_it_is_paid(
        live, deliver, smtp_server, sms_gateway):
    _, token, practitioner = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    before = await Registration.get(practitioner_id=practitioner.id)
    renewal_id = await start_answer_attach(live, token, years=1)

    view = (await gql(live.client, op("Renewal"), {"id": renewal_id}, token=token)
            )["data"]["renewal"]
    assert view["missing"] == [] and view["fee"] == {"amount": "250.00", "currency": "SAR"}
    submitted = (await gql(live.client, op("SubmitRenewal"), {"input": {
        "renewalId": renewal_id}}, token=token))["data"]["submitRenewal"]
    assert submitted["errors"] == []
    assert submitted["renewal"]["status"] == "AWAITING_PAYMENT"

    payment = await pay_in_sandbox(live, deliver, token, renewal_id)
    assert payment["amount"] == {"amount": "250.00", "currency": "SAR"}
    renewal = await Application.get(id=renewal_id)
    assert renewal.status == "APPROVED"
    after = await Registration.get(practitioner_id=practitioner.id)
    assert after.valid_from == before.valid_until + dt.timedelta(days=1)
    assert after.valid_until == registration_valid_until(after.valid_from, 1)

    await deliver()  # the receipt, the card and the status notices
    await assert_card_and_register(live, smtp_server, token, after)


async def test_missing_items_are_named_and_block_submission(live, deliver, smtp_server,
                                                            sms_gateway):
    _, token, practitioner = await claimed_practitioner(live.client, deliver, smtp_server,
                                                        sms_gateway)
    await CpdActivity.create(practitioner=practitioner, title="Course", provider="P", hours=40,
                             recognised_hours=40, completed_on=clock.today(),
                             status="RECOGNISED")
    started = (await gql(live.client, op("StartRenewal"), {"input": {"years": 3}},
                         token=token))["data"]["startRenewal"]
    renewal_id = started["renewal"]["id"]
    view = (await gql(live.client, op("Renewal"), {"id": renewal_id}, token=token, lang="en")
            )["data"]["renewal"]
    codes = {m["code"] for m in view["missing"]}
    assert codes == {"QUESTIONS", "CURRENT_EXPERIENCE", "EMPLOYER_LETTER", "CPD_HOURS"}
    cpd = next(m for m in view["missing"] if m["code"] == "CPD_HOURS")
    assert "50 more CPD hours" in cpd["message"] and "40 of 90" in cpd["message"]
    refused = (await gql(live.client, op("SubmitRenewal"), {"input": {
        "renewalId": renewal_id}}, token=token))["data"]["submitRenewal"]
    assert {e["code"] for e in refused["errors"]} == {"INCOMPLETE"}
    assert len(refused["errors"]) == 4
    assert (await Application.get(id=renewal_id)).status == "DRAFT"


async def test_a_risk_answer_sends_it_to_a_reviewer_who_can_return_it(
        live, deliver, smtp_server, sms_gateway):
    from server.resolvers.accounts.sessions import open_session
    from server.resolvers.accounts.staff import create_staff

    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    renewal_id = await start_answer_attach(live, token, disciplinary="YES")
    await gql(live.client, op("SubmitRenewal"), {"input": {"renewalId": renewal_id}},
              token=token)
    await pay_in_sandbox(live, deliver, token, renewal_id)
    assert (await Application.get(id=renewal_id)).status == "SUBMITTED"

    reviewer, _ = await create_staff("reviewer@sijil.example", "reviewer",
                                     "quiet meadow lantern 9")
    staff_token = await open_session(reviewer)
    queue = (await gql(live.client, op("ReviewQueue"), {"first": 10}, token=staff_token)
             )["data"]["reviewQueue"]
    assert [e["node"]["id"] for e in queue["edges"]] == [renewal_id]
    no_reason = (await gql(live.client, op("DecideApplication"), {"input": {
        "applicationId": renewal_id, "decision": "RETURN"}}, token=staff_token)
    )["data"]["decideApplication"]
    assert no_reason["errors"][0]["field"] == "reason"
    returned = (await gql(live.client, op("DecideApplication"), {"input": {
        "applicationId": renewal_id, "decision": "RETURN",
        "reason": "Attach the committee's decision."}}, token=staff_token)
    )["data"]["decideApplication"]
    assert returned["application"]["status"] == "RETURNED"
    view = (await gql(live.client, op("Renewal"), {"id": renewal_id}, token=token)
            )["data"]["renewal"]
    assert view["decisionReason"] == "Attach the committee's decision."

    again = (await gql(live.client, op("SubmitRenewal"), {"input": {
        "renewalId": renewal_id}}, token=token))["data"]["submitRenewal"]
    assert again["renewal"]["status"] == "SUBMITTED"  # no second payment
    assert await Payment.filter(application_id=renewal_id).count() == 1
    approved = (await gql(live.client, op("DecideApplication"), {"input": {
        "applicationId": renewal_id, "decision": "APPROVE"}}, token=staff_token)
    )["data"]["decideApplication"]
    assert approved["application"]["status"] == "APPROVED"
    practitioner_denied = await gql(live.client, op("ReviewQueue"), {"first": 5}, token=token)
    assert practitioner_denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_failed_payment_can_be_retried_with_another_method(
        live, deliver, smtp_server, sms_gateway):
    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    renewal_id = await start_answer_attach(live, token)
    await gql(live.client, op("SubmitRenewal"), {"input": {"renewalId": renewal_id}},
              token=token)
    await pay_in_sandbox(live, deliver, token, renewal_id, outcome="failed")
    assert (await Application.get(id=renewal_id)).status == "AWAITING_PAYMENT"
    assert (await Payment.get(application_id=renewal_id)).status == "FAILED"
    await pay_in_sandbox(live, deliver, token, renewal_id, method="CARD")
    assert (await Application.get(id=renewal_id)).status == "APPROVED"


async def test_sadad_gives_a_bill_number_and_no_redirect(live, deliver, smtp_server,
                                                         sms_gateway):
    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    renewal_id = await start_answer_attach(live, token)
    await gql(live.client, op("SubmitRenewal"), {"input": {"renewalId": renewal_id}},
              token=token)
    paid = (await gql(live.client, op("PayApplication"), {"input": {
        "applicationId": renewal_id, "method": "SADAD"}}, token=token)
    )["data"]["payApplication"]
    assert paid["payment"]["redirectUrl"] is None
    assert len(paid["payment"]["sadadBillNumber"]) == 11


async def test_bad_starts_and_bad_states_are_clear_errors(live, deliver, smtp_server,
                                                          sms_gateway):
    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway,
                                           valid_for_days=200)
    closed = (await gql(live.client, op("StartRenewal"), {"input": {"years": 1}}, token=token,
                        lang="en"))["data"]["startRenewal"]
    assert closed["errors"][0]["code"] == "INVALID_STATE"
    assert "Renewal opens on" in closed["errors"][0]["message"]
    await Registration.all().update(valid_until=clock.today() + dt.timedelta(days=10))
    bad_years = (await gql(live.client, op("StartRenewal"), {"input": {"years": 2}},
                           token=token))["data"]["startRenewal"]
    assert bad_years["errors"][0] == {"field": "years", "code": "INVALID",
                                      "message": bad_years["errors"][0]["message"]}
    renewal_id = await start_answer_attach(live, token)
    second = (await gql(live.client, op("StartRenewal"), {"input": {"years": 1}},
                        token=token))["data"]["startRenewal"]
    assert second["errors"][0]["code"] == "INVALID_STATE"
    too_early = (await gql(live.client, op("PayApplication"), {"input": {
        "applicationId": renewal_id, "method": "MADA"}}, token=token))["data"]["payApplication"]
    assert too_early["errors"][0]["code"] == "INVALID_STATE"
    await gql(live.client, op("SubmitRenewal"), {"input": {"renewalId": renewal_id}},
              token=token)
    late_answer = (await gql(live.client, op("AnswerRenewalQuestions"), {"input": {
        "renewalId": renewal_id, "answers": [{"code": "VALID_BLS", "answer": "NO"}]}},
        token=token))["data"]["answerRenewalQuestions"]
    assert late_answer["errors"][0]["code"] == "INVALID_STATE"
    await pay_in_sandbox(live, deliver, token, renewal_id)
    twice = (await gql(live.client, op("PayApplication"), {"input": {
        "applicationId": renewal_id, "method": "MADA"}}, token=token))["data"]["payApplication"]
    assert twice["errors"][0]["code"] == "INVALID_STATE"


async def signed_callback(live, payment: Payment, outcome="paid", amount=None):
    raw, headers = SandboxGateway(live.settings).callback(
        payment.provider_payment_id, outcome,
        amount if amount is not None else int(payment.amount * 100), "SAR", {})
    return raw, headers


async def awaiting_payment(live, deliver, smtp_server, sms_gateway) -> Payment:
    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    renewal_id = await start_answer_attach(live, token)
    await gql(live.client, op("SubmitRenewal"), {"input": {"renewalId": renewal_id}},
              token=token)
    paid = (await gql(live.client, op("PayApplication"), {"input": {
        "applicationId": renewal_id, "method": "CARD"}}, token=token))["data"]["payApplication"]
    return await Payment.get(id=paid["payment"]["id"])


async def test_callbacks_with_a_wrong_signature_amount_or_payment_are_refused(
        live, deliver, smtp_server, sms_gateway):
    payment = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    url = "/payments/webhook/sandbox"
    raw, headers = await signed_callback(live, payment)
    forged = {**headers, "x-sandbox-signature": headers["x-sandbox-signature"][:-4] + "0000"}
    assert (await live.client.post(url, content=raw, headers=forged)).status_code == 401
    tampered = raw.replace('"amount":25000', '"amount":1')
    assert (await live.client.post(url, content=tampered, headers=headers)).status_code == 401
    raw, headers = await signed_callback(live, payment, amount=100)
    assert (await live.client.post(url, content=raw, headers=headers)).status_code == 422
    unknown = SandboxGateway(live.settings).callback("sbx_nope", "paid", 25000, "SAR", {})
    assert (await live.client.post(url, content=unknown[0],
                                   headers=unknown[1])).status_code == 404
    assert (await live.client.post("/payments/webhook/nobody", content=raw,
                                   headers=headers)).status_code == 404
    assert (await Payment.get(id=payment.id)).status == "INITIATED"
    assert (await Application.get(id=payment.application_id)).status == "AWAITING_PAYMENT"


async def test_the_same_callback_twenty_times_at_once_applies_once(live, deliver, smtp_server,
                                                                   sms_gateway):
    payment = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    raw, headers = await signed_callback(live, payment)
    responses = await asyncio.gather(*[
        live.client.post("/payments/webhook/sandbox", content=raw, headers=headers)
        for _ in range(20)])
    assert all(r.status_code == 200 for r in responses)
    outcomes = sorted(r.json()["outcome"] for r in responses)
    assert outcomes.count("applied") == 1 and outcomes.count("duplicate") == 19
    assert await PaymentEvent.all().count() == 1
    application = await Application.get(id=payment.application_id)
    assert application.status == "APPROVED"
    from server.models.applications import ApplicationEvent

    approvals = await ApplicationEvent.filter(application_id=application.id,
                                              to_status="APPROVED").count()
    assert approvals == 1


async def test_the_browser_return_alone_confirms_nothing(live, deliver, smtp_server,
                                                         sms_gateway):
    payment = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    from server.context import session_cookie_name

    session = await _session_for(payment)
    live.browser.cookies.set(session_cookie_name(live.settings), session)
    page = await live.browser.get(f"/applications/{payment.application_id}/payment/{payment.id}")
    assert page.status_code == 200 and "hx-trigger" in page.text  # still waiting
    assert (await Payment.get(id=payment.id)).status == "INITIATED"


async def _session_for(payment: Payment) -> str:
    from server.models.accounts import Account
    from server.resolvers.accounts.sessions import open_session

    application = await Application.get(id=payment.application_id)
    return await open_session(await Account.get(id=application.applicant_id))


@pytest.mark.parametrize("body", [b"", b"not json", json.dumps({"id": 1}).encode()])
async def test_malformed_callbacks_are_refused_without_a_500(live, body):
    response = await live.client.post("/payments/webhook/sandbox", content=body,
                                      headers={"x-sandbox-signature": "t=1,v1=00"})
    assert response.status_code in (400, 401)


async def test_with_approval_at_payment_turned_off_a_renewal_that_meets_every_rule_waits(
        live, deliver, smtp_server, sms_gateway):
    from server.models.audit import AuditEntry
    from server.resolvers.accounts.sessions import open_session
    from server.resolvers.accounts.staff import create_staff

    admin, _ = await create_staff("policy.admin@sijil.example", "admin",
                                  "quiet meadow lantern 9")
    admin_token = await open_session(admin)
    policy = """mutation($on: Boolean) { updateRenewalPolicy(input: {autoApprove: $on}) {
        policy { autoApprove } errors { field code } } }"""
    missing = (await gql(live.client, policy, {"on": None}, token=admin_token)
               )["data"]["updateRenewalPolicy"]
    assert missing["errors"] == [{"field": "autoApprove", "code": "REQUIRED"}]
    off = (await gql(live.client, policy, {"on": False}, token=admin_token)
           )["data"]["updateRenewalPolicy"]
    assert off == {"policy": {"autoApprove": False}, "errors": []}
    assert await AuditEntry.filter(action="settings.renewal_policy").count() == 1

    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    renewal_id = await start_answer_attach(live, token, years=1)
    submitted = (await gql(live.client, op("SubmitRenewal"), {"input": {
        "renewalId": renewal_id}}, token=token))["data"]["submitRenewal"]
    assert submitted["errors"] == []
    await pay_in_sandbox(live, deliver, token, renewal_id)
    renewal = await Application.get(id=renewal_id)
    assert renewal.status == "SUBMITTED" and renewal.auto_approvable  # waits for a reviewer
    read = await gql(live.client, "{ renewalPolicy { autoApprove } }", token=admin_token)
    assert read["data"]["renewalPolicy"] == {"autoApprove": False}


async def test_the_whole_journey_over_graphql_from_the_csv_row_to_the_new_expiry(
        live, deliver, smtp_server, sms_gateway):
    """Issue 6's 'Done when', as a client app would: a record imported from the registry
    CSV is claimed, its experience added, its CPD hours recognised by a reviewer; then the
    renewal for a year, paid in the sandbox, approved; the card by email and by download;
    the public register shows the new expiry."""
    from tests.services.test_services import decide

    _, token, practitioner = await claimed_practitioner(live.client, deliver, smtp_server,
                                                        sms_gateway)  # via the CSV import
    before = await Registration.get(practitioner_id=practitioner.id)
    added = (await gql(live.client, op("AddExperience"), {"input": {
        "city": "Riyadh", "country": "SA", "workplace": "King Fahad Medical City",
        "specialty": "Internal Medicine", "jobDescription": "Consultant",
        "startDate": "2018-01-01", "endDate": None, "organizationType": "GOVERNMENT",
        "certificateId": await upload(live.client, token)}}, token=token)
    )["data"]["addExperience"]
    assert added["errors"] == []

    completed = (clock.today() - dt.timedelta(days=30)).isoformat()
    cpd = (await gql(live.client, op("SubmitCpdActivity"), {"input": {
        "title": "Annual internal medicine congress", "provider": "Saudi Society",
        "hours": 90, "completedOn": completed,
        "certificateId": await upload(live.client, token, "CPD_CERTIFICATE")}}, token=token)
    )["data"]["submitCpdActivity"]
    assert cpd["errors"] == []
    cpd_id = cpd["application"]["id"]
    if cpd["application"]["status"] == "AWAITING_PAYMENT":
        await pay_in_sandbox(live, deliver, token, cpd_id)
    _, staff = await staff_session(email="reviewer@sijil.example")
    await decide(live, staff, cpd_id)  # recognised in full
    hours = (await gql(live.client, op("MyPractitioner"), token=token)
             )["data"]["me"]["practitioner"]["cpd"]
    assert hours["earnedHours"] >= hours["requiredHours"], hours

    renewal_id = await start_answer_attach(live, token, years=1)
    submitted = (await gql(live.client, op("SubmitRenewal"), {"input": {
        "renewalId": renewal_id}}, token=token))["data"]["submitRenewal"]
    assert submitted["errors"] == [] and submitted["renewal"]["status"] == "AWAITING_PAYMENT"
    await pay_in_sandbox(live, deliver, token, renewal_id)
    assert (await Application.get(id=renewal_id)).status == "APPROVED"
    after = await Registration.get(practitioner_id=practitioner.id)
    assert after.valid_until == registration_valid_until(before.valid_until
                                                         + dt.timedelta(days=1), 1)

    await deliver()
    await assert_card_and_register(live, smtp_server, token, after)


async def test_an_employer_letter_dated_over_3_months_ago_or_in_the_future_is_refused(
        live, deliver, smtp_server, sms_gateway):
    _, token, _ = await ready_practitioner(live, deliver, smtp_server, sms_gateway)
    started = (await gql(live.client, op("StartRenewal"), {"input": {"years": 1}},
                         token=token))["data"]["startRenewal"]
    renewal_id = started["renewal"]["id"]
    attach = """mutation($input: AttachDocumentsInput!) { attachDocuments(input: $input) {
        errors { field code message } } }"""
    letter = await upload(live.client, token, "EMPLOYER_LETTER")
    for days in (100, -1):
        on = (clock.today() - dt.timedelta(days=days)).isoformat()
        body = (await gql(live.client, attach, {"input": {"applicationId": renewal_id,
                                                          "documents": [{
                                                              "kind": "EMPLOYER_LETTER",
                                                              "documentId": letter,
                                                              "issuedOn": on}]}},
                          token=token))["data"]["attachDocuments"]
        assert [(e["field"], e["code"]) for e in body["errors"]] == [
            ("documents.0.issuedOn", "INVALID")], (days, body)
    assert not await ApplicationDocument.filter(application_id=renewal_id).exists()
    on = (clock.today() - dt.timedelta(days=30)).isoformat()
    body = (await gql(live.client, attach, {"input": {"applicationId": renewal_id, "documents": [
        {"kind": "EMPLOYER_LETTER", "documentId": letter, "issuedOn": on}]}}, token=token)
    )["data"]["attachDocuments"]
    assert body["errors"] == []
    view = (await gql(live.client, op("Renewal"), {"id": renewal_id}, token=token)
            )["data"]["renewal"]
    assert "EMPLOYER_LETTER" not in str(view["missing"])


async def test_an_unpaid_payment_expires_the_payer_is_told_and_a_late_confirmation_still_counts(
        live, deliver, smtp_server, sms_gateway):
    from server.models.outbox import OutboxMessage
    from server.resolvers.payments.checkout import expire_overdue

    payment = await awaiting_payment(live, deliver, smtp_server, sms_gateway)
    assert payment.expires_at is not None
    assert await expire_overdue(live.settings, payment.expires_at - dt.timedelta(minutes=1)) \
        == 0  # not yet
    assert await expire_overdue(live.settings, payment.expires_at + dt.timedelta(minutes=1)) \
        == 1
    assert (await Payment.get(id=payment.id)).status == "EXPIRED"
    assert (await Application.get(id=payment.application_id)).status == "AWAITING_PAYMENT"
    assert await OutboxMessage.filter(dedupe_key=f"payment-failed:{payment.id}").exists()
    assert await OutboxMessage.filter(dedupe_key=f"sms:payment-failed:{payment.id}").exists()
    assert await expire_overdue(live.settings, payment.expires_at + dt.timedelta(hours=1)) \
        == 0  # once

    # The gateway confirms it after all (the payer paid at the last second): it counts.
    raw, headers = await signed_callback(live, payment)
    response = await live.client.post("/payments/webhook/sandbox", content=raw,
                                      headers=headers)
    assert response.status_code == 200, response.text
    assert (await Payment.get(id=payment.id)).status == "PAID"
    assert (await Application.get(id=payment.application_id)).status == "APPROVED"
