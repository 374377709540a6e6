"""The other services over GraphQL, paid in the sandbox and decided by a reviewer."""


from server import clock
from server.models.applications import Application
from server.models.certificates import Certificate
from server.models.payments import Payment
from server.models.practitioners import Practitioner, Qualification, Registration
from tests.builders import claimed_practitioner, op, staff_session, upload
from tests.conftest import gql
from tests.journeys import signed_in_practitioner
from tests.renewals.test_renewal import pay_in_sandbox

APPLICATION = "application { id kind status fee { amount currency } }"
ERRORS = "errors { field code message }"



async def decide(live, staff_token, application_id, decision="APPROVE", reason=None):
    body = (await gql(live.client, op("DecideApplication"), {"input": {
        "applicationId": application_id, "decision": decision, "reason": reason}},
        token=staff_token))["data"]["decideApplication"]
    assert body["errors"] == [], body["errors"]
    return body["application"]


async def good_standing_for_a_reviewer(live, deliver, smtp_server, sms_gateway
                                       ) -> tuple[str, str]:
    """(token, application id): a good-standing application of a sanctioned practitioner,
    which waits for a reviewer once paid instead of being issued at once."""
    _, token, practitioner = await claimed_practitioner(live.client, deliver, smtp_server,
                                                        sms_gateway)
    await Practitioner.filter(id=practitioner.id).update(sanctioned=True)
    applied = (await gql(live.client, f"mutation {{ applyForGoodStandingCertificate {{ "
                                      f"{APPLICATION} {ERRORS} }} }}", token=token)
               )["data"]["applyForGoodStandingCertificate"]
    assert applied["errors"] == []
    return token, applied["application"]["id"]


async def test_a_good_standing_certificate_is_issued_at_once_for_an_active_registration(
        live, deliver, smtp_server, sms_gateway):
    _, token, _ = await claimed_practitioner(live.client, deliver, smtp_server, sms_gateway)
    applied = (await gql(live.client, f"mutation {{ applyForGoodStandingCertificate {{ "
                                      f"{APPLICATION} {ERRORS} }} }}", token=token)
               )["data"]["applyForGoodStandingCertificate"]
    assert applied["errors"] == []
    assert applied["application"]["fee"] == {"amount": "100.00", "currency": "SAR"}
    await pay_in_sandbox(live, deliver, token, applied["application"]["id"])
    assert (await Application.get(id=applied["application"]["id"])).status == "APPROVED"
    certificate = await Certificate.get()
    check = (await gql(live.client, """query($code: String!) { verifyCertificate(code: $code)
        { code kind valid validUntil fullNameEn } }""", {"code": certificate.code})
             )["data"]["verifyCertificate"]
    assert check["valid"] is True and check["kind"] == "GOOD_STANDING"
    assert check["fullNameEn"] == "Sara Mohammed Ali Alqahtani"
    page = await live.client.get(f"/verify/certificate/{certificate.code}",
                                 headers={"accept": "text/html"})
    assert page.status_code == 200 and certificate.code in page.text
    forged = await live.client.get("/verify/certificate/ABCD-EFGH-JKLM",
                                   headers={"accept": "text/html"})
    assert forged.status_code == 404
    pdf = await live.client.get(f"/certificates/{certificate.code}.pdf",
                                headers={"authorization": f"Bearer {token}"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    await deliver()
    assert any("certificate" in m.subject.lower() or "شهادة" in m.subject
               for m in smtp_server.messages())


async def test_a_sanctioned_practitioner_goes_to_a_reviewer(live, deliver, smtp_server,
                                                            sms_gateway):
    token, application_id = await good_standing_for_a_reviewer(live, deliver, smtp_server,
                                                               sms_gateway)
    await pay_in_sandbox(live, deliver, token, application_id)
    assert (await Application.get(id=application_id)).status == "SUBMITTED"
    assert await Certificate.all().count() == 0


async def test_a_new_practitioner_is_classified_then_registered(live, deliver, smtp_server,
                                                               sms_gateway):
    _, token = await signed_in_practitioner(live.client, deliver, smtp_server, sms_gateway)
    started = (await gql(live.client, """mutation($input: StartPractitionerRecordInput!) {
        startPractitionerRecord(input: $input) { practitioner { id rank } errors { field code } }
        }""", {"input": {
        "firstNameAr": "ليلى", "familyNameAr": "الحربي", "firstNameEn": "Layla",
        "familyNameEn": "Alharbi", "dateOfBirth": "1994-02-03", "gender": "F",
        "nationality": "SA", "identityType": "NATIONAL_ID", "identityNumber": "1000000016",
        "category": "NURSE", "specialty": "Nursing"}}, token=token)
    )["data"]["startPractitionerRecord"]
    assert started["errors"] == [] and started["practitioner"]["rank"] == ""

    evidence = await upload(live.client, token, "QUALIFICATION_CERTIFICATE")
    no_exam = (await gql(live.client, f"""mutation($input: ClassificationInput!) {{
        applyForClassification(input: $input) {{ {APPLICATION} {ERRORS} }} }}""", {"input": {
        "category": "NURSE", "specialty": "Nursing", "qualificationLevel": "BACHELOR",
        "yearsOfExperience": 4, "documentIds": [evidence]}}, token=token)
    )["data"]["applyForClassification"]
    assert {e["field"] for e in no_exam["errors"]} == {"examPassed"}
    classified = (await gql(live.client, f"""mutation($input: ClassificationInput!) {{
        applyForClassification(input: $input) {{ {APPLICATION} {ERRORS} }} }}""", {"input": {
        "category": "NURSE", "specialty": "Nursing", "qualificationLevel": "BACHELOR",
        "yearsOfExperience": 4, "examPassed": True, "examReference": "SLE-123",
        "documentIds": [evidence]}}, token=token))["data"]["applyForClassification"]
    assert classified["application"]["fee"]["amount"] == "1500.00"  # a specialist
    application_id = classified["application"]["id"]
    await pay_in_sandbox(live, deliver, token, application_id)
    staff = (await staff_session(email="reviewer@sijil.example"))[1]
    rank = (await gql(live.client, f"""mutation($input: SetClassificationRankInput!) {{
        setClassificationRank(input: $input) {{ {APPLICATION} {ERRORS} }} }}""", {"input": {
        "applicationId": application_id, "rank": "SENIOR_SPECIALIST"}}, token=staff)
    )["data"]["setClassificationRank"]
    assert rank["errors"] == []
    from server.models.audit import AuditEntry

    audited = await AuditEntry.get(action="classification.rank_set")
    assert (audited.target_id, audited.details["rank"]) == (application_id, "SENIOR_SPECIALIST")
    wrong = (await gql(live.client, f"""mutation($input: SetClassificationRankInput!) {{
        setClassificationRank(input: $input) {{ {ERRORS} }} }}""", {"input": {
        "applicationId": application_id, "rank": "NO_SUCH_RANK"}}, token=staff)
    )["data"]["setClassificationRank"]
    assert [(e["field"], e["code"]) for e in wrong["errors"]] == [("rank", "INVALID")]
    await decide(live, staff, application_id)
    practitioner = await Practitioner.get(identity_number="1000000016")
    assert practitioner.rank == "SENIOR_SPECIALIST"
    late = (await gql(live.client, f"""mutation($input: SetClassificationRankInput!) {{
        setClassificationRank(input: $input) {{ {ERRORS} }} }}""", {"input": {
        "applicationId": application_id, "rank": "CONSULTANT"}}, token=staff)
    )["data"]["setClassificationRank"]
    assert [e["code"] for e in late["errors"]] == ["INVALID_STATE"]
    assert "APPROVED" in late["errors"][0]["message"]

    registration = (await gql(live.client, f"""mutation {{ applyForRegistration(input:
        {{years: 3}}) {{ {APPLICATION} {ERRORS} }} }}""", token=token)
    )["data"]["applyForRegistration"]
    assert registration["application"]["fee"]["amount"] == "600.00"  # 200 × 3 years
    await pay_in_sandbox(live, deliver, token, registration["application"]["id"])
    await decide(live, staff, registration["application"]["id"])
    granted = await Registration.get(practitioner_id=practitioner.id)
    assert granted.number == f"{clock.today().year % 100:02d}-R-0000001"
    assert granted.valid_from == clock.today()


async def test_training_certificate_and_qualification_evaluation_are_decided_by_reviewers(
        live, deliver, smtp_server, sms_gateway):
    _, token, _ = await claimed_practitioner(live.client, deliver, smtp_server,
                                                        sms_gateway)
    evidence = await upload(live.client, token, "EVIDENCE")
    training = (await gql(live.client, f"""mutation($input: TrainingCertificateInput!) {{
        applyForTrainingCertificate(input: $input) {{ {APPLICATION} {ERRORS} }} }}""", {
        "input": {"programme": "Internal medicine residency", "institution": "KFMC",
                  "startDate": "2015-07-01", "endDate": "2019-06-30",
                  "documentIds": [evidence]}}, token=token))["data"]["applyForTrainingCertificate"]
    await pay_in_sandbox(live, deliver, token, training["application"]["id"])
    staff = (await staff_session(email="reviewer@sijil.example"))[1]
    await decide(live, staff, training["application"]["id"])
    assert (await Certificate.get()).kind == "TRAINING_CERTIFICATE"

    certificate = await upload(live.client, token, "QUALIFICATION_CERTIFICATE")
    evaluation = (await gql(live.client, f"""mutation($input: QualificationEvaluationInput!) {{
        applyForQualificationEvaluation(input: $input) {{ {APPLICATION} {ERRORS} }} }}""", {
        "input": {"degree": "MSc Clinical Epidemiology", "institution": "University of Toronto",
                  "country": "CA", "awardedOn": "2021-06-01", "certificateId": certificate,
                  "verificationReference": "DF-998877"}}, token=token)
    )["data"]["applyForQualificationEvaluation"]
    assert evaluation["application"]["status"] == "SUBMITTED"  # no fee
    assert (await Qualification.get()).status == "PENDING_EVALUATION"
    await decide(live, staff, evaluation["application"]["id"])
    qualification = await Qualification.get()
    assert qualification.status == "RECORDED" and qualification.verification_outcome == "POSITIVE"


async def test_reclassification_to_a_higher_rank(live, deliver, smtp_server, sms_gateway):
    _, token, practitioner = await claimed_practitioner(
        live.client, deliver, smtp_server, sms_gateway, rank="REGISTRAR")
    evidence = await upload(live.client, token, "EVIDENCE")
    lower = (await gql(live.client, f"""mutation($input: ReclassificationInput!) {{
        applyForReclassification(input: $input) {{ {APPLICATION} {ERRORS} }} }}""", {"input": {
        "targetRank": "RESIDENT", "documentIds": [evidence]}}, token=token)
    )["data"]["applyForReclassification"]
    assert lower["errors"][0]["field"] == "targetRank"
    higher = (await gql(live.client, f"""mutation($input: ReclassificationInput!) {{
        applyForReclassification(input: $input) {{ {APPLICATION} {ERRORS} }} }}""", {"input": {
        "targetRank": "CONSULTANT", "documentIds": [evidence]}}, token=token)
    )["data"]["applyForReclassification"]
    assert higher["application"]["fee"]["amount"] == "1800.00"
    await pay_in_sandbox(live, deliver, token, higher["application"]["id"])
    _, staff = await staff_session(email="reviewer@sijil.example")
    await decide(live, staff, higher["application"]["id"])
    # The Consultant rank waits for a second admin (four eyes), then is granted.
    from server.models.workflow import ApprovalRequest
    from tests.admin.test_four_eyes import decide as decide_request

    assert (await Practitioner.get(id=practitioner.id)).rank == "REGISTRAR"
    request = await ApprovalRequest.get(target=higher["application"]["id"])
    _, admin = await staff_session("admin")
    assert (await decide_request(live.client, admin, str(request.id)))["errors"] == []
    assert (await Practitioner.get(id=practitioner.id)).rank == "CONSULTANT"
    assert (await Registration.get(practitioner_id=practitioner.id)).rank == "CONSULTANT"


async def test_cancel_before_review_and_ask_for_a_refund(live, deliver, smtp_server,
                                                         sms_gateway):
    token, application_id = await good_standing_for_a_reviewer(live, deliver, smtp_server,
                                                               sms_gateway)
    early = (await gql(live.client, """mutation($input: ApplicationIdInput!) {
        requestRefund(input: $input) { refundStatus errors { code } } }""",
        {"input": {"applicationId": application_id}}, token=token))["data"]["requestRefund"]
    assert early["errors"][0]["code"] == "INVALID_STATE"
    await pay_in_sandbox(live, deliver, token, application_id)
    cancelled = (await gql(live.client, f"""mutation($input: ApplicationIdInput!) {{
        cancelApplication(input: $input) {{ {APPLICATION} {ERRORS} }} }}""",
        {"input": {"applicationId": application_id}}, token=token))["data"]["cancelApplication"]
    assert cancelled["application"]["status"] == "CANCELLED"
    refund = (await gql(live.client, """mutation($input: ApplicationIdInput!) {
        requestRefund(input: $input) { refundStatus errors { code } } }""",
        {"input": {"applicationId": application_id}}, token=token))["data"]["requestRefund"]
    assert refund["refundStatus"] == "REQUESTED"
    assert (await Payment.get(application_id=application_id)).refund_status == "REQUESTED"


async def notices_to(account) -> list[tuple[str, str]]:
    """(channel, words) of every email and SMS queued for the account, oldest first."""
    from server.models.outbox import OutboxMessage

    rows = await OutboxMessage.filter(recipient__in=[account.email, account.mobile]) \
        .order_by("id").values("channel", "payload", "dedupe_key")
    return [(r["channel"], r["payload"].get("subject") or r["payload"].get("body", ""))
            for r in rows if not (r["dedupe_key"] or "").startswith("receipt:")]


async def test_every_status_change_and_a_failed_payment_reach_the_applicant_by_email_and_sms(
        live, deliver, smtp_server, sms_gateway):
    """AWAITING_PAYMENT, a failed payment, SUBMITTED (paid) and CANCELLED: each is an email
    and an SMS in the applicant's language, queued with the change."""
    from server.models.accounts import Account

    who, token, practitioner = await claimed_practitioner(live.client, deliver, smtp_server,
                                                          sms_gateway)
    account = await Account.get(email=who["email"])
    await Practitioner.filter(id=practitioner.id).update(sanctioned=True)  # stays SUBMITTED
    before = len(await notices_to(account))
    applied = (await gql(live.client, f"mutation {{ applyForGoodStandingCertificate {{ "
                                      f"{APPLICATION} {ERRORS} }} }}", token=token)
               )["data"]["applyForGoodStandingCertificate"]
    application_id = applied["application"]["id"]
    await pay_in_sandbox(live, deliver, token, application_id, outcome="failed")
    await pay_in_sandbox(live, deliver, token, application_id, method="CARD")
    cancelled = (await gql(live.client, f"""mutation($input: ApplicationIdInput!) {{
        cancelApplication(input: $input) {{ {APPLICATION} {ERRORS} }} }}""",
        {"input": {"applicationId": application_id}}, token=token))["data"]["cancelApplication"]
    assert cancelled["errors"] == []

    got = (await notices_to(account))[before:]
    language = account.language
    from server.i18n import gettext
    from server.resolvers.kernel import status_notices as n

    expected = []
    for email, sms in ((n.STATUS_EMAIL["AWAITING_PAYMENT"], n.STATUS_SMS["AWAITING_PAYMENT"]),
                       (n.PAYMENT_FAILED_EMAIL, n.PAYMENT_FAILED_SMS),
                       (n.STATUS_EMAIL["SUBMITTED"], n.STATUS_SMS["SUBMITTED"]),
                       (n.STATUS_EMAIL["CANCELLED"], n.STATUS_SMS["CANCELLED"])):
        expected += [("email", gettext(language, email)), ("sms", gettext(language, sms))]
    # Each names the application by its reference (isolated, so it reads the same in Arabic).
    reference = (await Application.get(id=application_id)).reference
    assert [c for c, _ in got] == [c for c, _ in expected], got
    for (channel, words), (_, text) in zip(got, expected, strict=True):
        words = " ".join(words.split())
        assert words.startswith(text) and reference in words, (channel, words)


async def test_no_refund_once_a_reviewer_has_taken_the_application_up(
        live, deliver, smtp_server, sms_gateway):
    token, application_id = await good_standing_for_a_reviewer(live, deliver, smtp_server,
                                                               sms_gateway)
    await pay_in_sandbox(live, deliver, token, application_id)
    staff = (await staff_session(email="reviewer@sijil.example"))[1]
    returned = (await gql(live.client, op("DecideApplication"), {"input": {
        "applicationId": application_id, "decision": "RETURN",
        "reason": "The sanction letter is missing.", "whatToFix": "Attach the letter."}},
        token=staff))["data"]["decideApplication"]
    assert returned["errors"] == [] and returned["application"]["status"] == "RETURNED"
    cancelled = (await gql(live.client, f"""mutation($input: ApplicationIdInput!) {{
        cancelApplication(input: $input) {{ {APPLICATION} {ERRORS} }} }}""",
        {"input": {"applicationId": application_id}}, token=token))["data"]["cancelApplication"]
    assert cancelled["application"]["status"] == "CANCELLED"
    refund = (await gql(live.client, """mutation($input: ApplicationIdInput!) {
        requestRefund(input: $input) { refundStatus errors { code message } } }""",
        {"input": {"applicationId": application_id}}, token=token))["data"]["requestRefund"]
    assert [e["code"] for e in refund["errors"]] == ["INVALID_STATE"]
    assert (await Payment.get(application_id=application_id)).refund_status == ""
