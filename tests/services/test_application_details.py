"""The application as its applicant sees it (issue 16, points 9–12, 14 and 16): digits typed
in Arabic-Indic, what was asked for, the SADAD bill, the reviewer's reasons point by point,
the reference, event texts and emails in Arabic, and the CPD hours warning."""

import email
import email.policy

from server.domain.application_details import reason_points
from server.domain.cpd import implausible_hours
from server.domain.names import greeting_name
from server.integrations.mail import compose
from server.models.accounts import Account
from server.models.applications import Application
from tests.builders import MINIMAL_PDF, claimed_practitioner, upload
from tests.conftest import gql
from tests.journeys import (
    CONFIRM_EMAIL,
    LOGIN,
    PASSWORD,
    VERIFY_LOGIN,
    VERIFY_MOBILE,
    link_token,
    register,
)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EASTERN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

RECLASSIFY = """mutation($input: ReclassificationInput!) {
  applyForReclassification(input: $input) {
    application { id reference status } errors { field code message } } }"""
PAY = """mutation($input: PayApplicationInput!) {
  payApplication(input: $input) { payment { sadadBillNumber } errors { field code } } }"""
CANCEL = """mutation($input: ApplicationIdInput!) {
  cancelApplication(input: $input) { errors { field code } } }"""
APPLICATION = """query($id: ID!) { myApplication(id: $id) {
  reference status requested { label value code } decisionPoints usualDecisionDays
  submittedDocuments { name kind } sadadBill { sadadBillNumber amount { amount } expiresAt }
  events { toStatus reason } } }"""
CPD = """mutation($input: SubmitCpdActivityInput!) {
  submitCpdActivity(input: $input) { application { id } errors { field code message } } }"""


async def _nurse(client, deliver, smtp_server, sms_gateway):
    """A registered nursing technician, signed in (Arabic is the account's language)."""
    return await claimed_practitioner(client, deliver, smtp_server, sms_gateway,
                                      category="NURSE", rank="TECHNICIAN",
                                      specialty="GENERAL_NURSING")


async def _reclassification(client, token) -> dict:
    evidence = await upload(client, token, kind="EVIDENCE")
    payload = (await gql(client, RECLASSIFY, {"input": {
        "targetRank": "SPECIALIST", "note": "Bachelor of Nursing, 2024",
        "documentIds": [evidence]}}, token=token))["data"]["applyForReclassification"]
    assert payload["errors"] == [], payload["errors"]
    return payload["application"]


async def test_a_sign_in_code_in_arabic_indic_digits_signs_in(client, deliver, smtp_server,
                                                               sms_gateway):
    account = (await register(client))["account"]
    await deliver()
    digits = "966" + account["mobile"][-9:]
    wrong = ("000000" if sms_gateway.last_code(digits) != "000000" else "111111")
    refused = (await gql(client, VERIFY_MOBILE, {"input": {
        "accountId": account["id"], "code": wrong.translate(ARABIC_INDIC)}}))
    [error] = refused["data"]["verifyMobile"]["errors"]
    assert "4 tries left" in error["message"]  # one wrong try, counted once
    verified = await gql(client, VERIFY_MOBILE, {"input": {
        "accountId": account["id"], "code": sms_gateway.last_code(digits).translate(EASTERN)}})
    assert verified["data"]["verifyMobile"]["errors"] == []
    confirmed = await gql(client, CONFIRM_EMAIL, {"input": {
        "token": link_token(smtp_server.messages()[-1])}})
    assert confirmed["data"]["confirmEmail"]["errors"] == []
    login = (await gql(client, LOGIN, {"input": {"identifier": account["email"],
                                                 "password": PASSWORD}})
             )["data"]["login"]
    assert login["errors"] == []
    await deliver()
    signed = (await gql(client, VERIFY_LOGIN, {"input": {
        "challengeId": login["challenge"]["id"],
        "code": sms_gateway.last_code().translate(ARABIC_INDIC)}}))["data"]["verifyLogin"]
    assert signed["errors"] == [] and signed["token"]


async def test_the_application_shows_what_was_asked_the_bill_and_the_reference(
        client, deliver, smtp_server, sms_gateway):
    _, token, _ = await _nurse(client, deliver, smtp_server, sms_gateway)
    application = await _reclassification(client, token)
    assert application["reference"].startswith("A-")
    paid = (await gql(client, PAY, {"input": {"applicationId": application["id"],
                                              "method": "SADAD"}}, token=token)
            )["data"]["payApplication"]
    assert paid["errors"] == []
    shown = (await gql(client, APPLICATION, {"id": application["id"]}, token=token,
                       lang="ar"))["data"]["myApplication"]
    asked = {item["label"]: item for item in shown["requested"]}
    assert asked["الرتبة المطلوبة"]["code"] == "SPECIALIST"
    assert asked["الرتبة المطلوبة"]["value"] != "SPECIALIST"  # a label, not the code
    assert asked["ملاحظتك"]["value"] == "Bachelor of Nursing, 2024"
    assert [d["kind"] for d in shown["submittedDocuments"]] == ["EVIDENCE"]
    bill = shown["sadadBill"]
    assert bill["sadadBillNumber"] == paid["payment"]["sadadBillNumber"]
    assert bill["amount"]["amount"] and bill["expiresAt"]
    assert shown["usualDecisionDays"] > 0
    await Application.filter(id=application["id"]).update(status="SUBMITTED")
    after = (await gql(client, APPLICATION, {"id": application["id"]}, token=token)
             )["data"]["myApplication"]
    assert after["sadadBill"] is None  # paid: the bill is gone


async def test_the_reviewers_reasons_come_point_by_point(client, deliver, smtp_server,
                                                          sms_gateway):
    _, token, _ = await _nurse(client, deliver, smtp_server, sms_gateway)
    application = await _reclassification(client, token)
    await Application.filter(id=application["id"]).update(
        status="RETURNED", decision_reason="1. Attach the degree certificate.\n"
                                           "2) Add the internship letter.\n\n- Sign it.")
    shown = (await gql(client, APPLICATION, {"id": application["id"]}, token=token)
             )["data"]["myApplication"]
    assert shown["decisionPoints"] == ["Attach the degree certificate.",
                                       "Add the internship letter.", "Sign it."]
    assert reason_points("One paragraph, one point.") == ["One paragraph, one point."]


async def test_cancelling_writes_an_arabic_event_and_an_arabic_greeting(
        client, deliver, smtp_server, sms_gateway):
    account, token, _ = await _nurse(client, deliver, smtp_server, sms_gateway)
    await Account.filter(id=account["id"]).update(language="ar")
    application = await _reclassification(client, token)
    cancelled = await gql(client, CANCEL, {"input": {"applicationId": application["id"]}},
                          token=token)
    assert cancelled["data"]["cancelApplication"]["errors"] == []
    shown = (await gql(client, APPLICATION, {"id": application["id"]}, token=token,
                       lang="ar"))["data"]["myApplication"]
    assert shown["events"][-1]["reason"] == "ألغاه مقدّم الطلب"
    english = (await gql(client, APPLICATION, {"id": application["id"]}, token=token,
                         lang="en"))["data"]["myApplication"]
    assert english["events"][-1]["reason"] == "cancelled by applicant"
    await deliver()
    mail = smtp_server.messages()[-1]
    assert "مرحبًا سارة" in mail.text and "Sara" not in mail.text.split("\n")[0]
    assert application["reference"] in mail.text and application["reference"] in mail.subject
    sms = sms_gateway.received[-1]["body"]
    assert f"\u2066{application['reference']}\u2069" in sms


def test_an_arabic_subject_keeps_its_spaces_when_folded():
    subject = "لم تتم عملية الدفع، ولم يُخصم أي مبلغ. ادفع مرة أخرى بالطريقة نفسها أو بطريقة أخرى."
    raw = compose("noreply@sijil.example", "a@example.test", subject, "text").as_bytes()
    read = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(read["Subject"]) == subject
    assert "ولميُخصم" not in str(read["Subject"])


def test_an_arabic_email_never_greets_with_a_latin_name():
    assert greeting_name("ar", "Fahad") == ""
    assert greeting_name("ar", "Fahad", name_ar="فهد") == "فهد"
    assert greeting_name("en", "Fahad", name_ar="فهد", name_en="Fahad") == "Fahad"
    assert greeting_name("ar", "فهد") == "فهد"


async def test_a_mobile_is_isolated_left_to_right_on_the_security_page(
        browser_like, client, deliver, smtp_server, sms_gateway):
    from tests.services.test_pages_services import signed_in

    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    page = await browser_like.get("/account/security", cookies={"lang": "ar"})
    assert "\u2066+966" in page.text


async def test_hours_above_what_the_activity_type_gives_must_be_confirmed(
        client, deliver, smtp_server, sms_gateway):
    _, token, _ = await _nurse(client, deliver, smtp_server, sms_gateway)
    certificate = await upload(client, token, kind="CPD_CERTIFICATE")
    sent = {"title": "Wound care", "provider": "KFSH", "hours": 95,
            "completedOn": "1970-01-01", "activityType": "WORKSHOP",
            "certificateId": certificate}
    warned = (await gql(client, CPD, {"input": sent}, token=token))["data"]["submitCpdActivity"]
    [error] = warned["errors"]
    assert error["field"] == "confirmHours" and "95 hours" in error["message"]
    assert "up to 16" in error["message"]
    assert await Application.filter(kind="CPD_RECOGNITION").count() == 0
    confirmed = (await gql(client, CPD, {"input": {**sent, "confirmHours": True}},
                           token=token))["data"]["submitCpdActivity"]
    assert confirmed["errors"] == []
    stored = await Application.get(kind="CPD_RECOGNITION")
    assert stored.data["activity_type"] == "WORKSHOP" and stored.data["hours_confirmed"]
    assert implausible_hours("LECTURE", 2) is None and implausible_hours("LECTURE", 4) == 3


async def test_hours_in_arabic_indic_digits_are_read_by_the_cpd_form(
        browser_like, client, deliver, smtp_server, sms_gateway):
    from tests.services.test_pages_services import post, signed_in

    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    page = await post(browser_like, "/record/cpd", {
        "title": "Grand round", "provider": "KFSH", "hours": "١٫٥",
        "activityType": "LECTURE", "completedOn-day": "١", "completedOn-month": "١",
        "completedOn-year": "١٩٧٠"},
        files={"certificate": ("c.pdf", MINIMAL_PDF, "application/pdf")})
    assert page.status_code == 303, page.text
    stored = await Application.get(kind="CPD_RECOGNITION")
    assert stored.data["hours"] == "1.5"


async def test_classification_refuses_a_specialty_of_another_category_and_names_fields(
        browser_like, client, deliver, smtp_server, sms_gateway):
    from server.context import session_cookie_name
    from tests.conftest import csrf_of
    from tests.journeys import signed_in_practitioner

    _, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    browser_like.cookies.set(session_cookie_name(browser_like._transport.app.state.settings),
                             token)
    await browser_like.get("/services/classification")
    page = await browser_like.post("/services/classification", data={
        "csrf_token": csrf_of(browser_like), "category": "NURSE",
        "specialty": "INTERNAL_MEDICINE"}, cookies={"lang": "en"})
    assert page.status_code == 422
    assert "This specialty is not open to the category you chose" in page.text
    assert "Gender: this is required." in page.text
    assert "This is required." not in page.text
    # Narrowed without JavaScript once the category is known: no physician specialty left.
    options = page.text.split('id="field-specialty"')[1].split("</select>")[0]
    assert "GENERAL_NURSING" in options and "INTERNAL_MEDICINE" not in options
