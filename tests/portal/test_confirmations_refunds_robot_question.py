"""Issue 16 points 5, 7 and 8, server side: the robot question for browsers without
JavaScript (signed, spent once, rate-limited); Remove and Cancel ask first and say what
happens; a refund's status and steps on the application, and the email when it is decided."""

import datetime as dt
import re
import uuid
from decimal import Decimal

from server import clock
from server.integrations import captcha
from server.models.accounts import Account
from server.models.applications import Application, ApplicationEvent
from server.models.outbox import OutboxMessage
from server.models.payments import Payment
from server.models.practitioners import Experience
from server.pages.plumbing import operations
from tests.builders import MINIMAL_PDF, staff_session
from tests.conftest import csrf_of, gql
from tests.journeys import PASSWORD
from tests.portal.test_forms_save_all_or_nothing import EXPERIENCE, post, signed_in

EN = {"accept-language": "en"}
HTMX = {"hx-request": "true"}


# ------------------------------------------------------------------ the robot question

def registration(email: str, **captcha_fields) -> dict:
    return {"firstName": "Sara", "familyName": "Alqahtani", "email": email,
            "emailConfirmation": email, "password": PASSWORD,
            "passwordConfirmation": PASSWORD, "mobile": "0551234567", "acceptTerms": "1",
            **captcha_fields}


def question_of(page: str) -> tuple[str, int]:
    token = re.search(r'name="robotQuestion" value="([^"]+)"', page).group(1)
    a, b = re.search(r"(?:What is|كم يساوي) \u2068(\d)\u2069 (?:plus|زائد) \u2068(\d)\u2069",
                     page).groups()
    return token, int(a) + int(b)


async def test_without_javascript_the_register_page_asks_a_sum_that_is_spent_once(
        browser_like, clock):
    page = await browser_like.get("/register")
    assert "<noscript>" in page.text and 'name="robotAnswer"' in page.text
    token, answer = question_of(page.text)

    too_fast = await post(browser_like, "/register", registration(
        "q@example.com", robotQuestion=token, robotAnswer=str(answer)))
    assert too_fast.status_code == 422  # answered before a person could read the form
    clock.shift(dt.timedelta(seconds=5))
    wrong = await post(browser_like, "/register", registration(
        "q@example.com", robotQuestion=token, robotAnswer=str(answer + 1)))
    assert wrong.status_code == 422
    assert "ناتج الجمع غير صحيح" in wrong.text and 'value="Sara"' in wrong.text
    assert 'name="robotQuestion"' in wrong.text  # a new question comes with the form

    arabic_digits = str(answer).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    created = await post(browser_like, "/register", registration(
        "q@example.com", robotQuestion=token, robotAnswer=arabic_digits))
    assert created.status_code == 303, created.text
    assert await Account.exists(email="q@example.com")
    again = await post(browser_like, "/register", registration(
        "q2@example.com", robotQuestion=token, robotAnswer=str(answer)))
    assert again.status_code == 422  # the same question cannot open a second account
    assert not await Account.exists(email="q2@example.com")


async def test_the_robot_question_is_limited_per_address(browser_like, clock):
    tokens = []
    for _ in range(11):
        page = await browser_like.get("/register")
        tokens.append(question_of(page.text))
    clock.shift(dt.timedelta(seconds=5))
    for n, (token, answer) in enumerate(tokens[:10]):
        response = await post(browser_like, "/register", registration(
            f"limit{n}@example.com", robotQuestion=token, robotAnswer=str(answer + 1)))
        assert response.status_code == 422
    token, answer = tokens[10]
    limited = await post(browser_like, "/register", registration(
        "limit@example.com", robotQuestion=token, robotAnswer=str(answer)), headers=EN)
    assert limited.status_code == 422 and "Too many attempts" in limited.text
    assert not await Account.exists(email="limit@example.com")


def test_a_question_whose_token_is_altered_is_refused(clock):
    made = captcha.question("secret")
    clock.shift(dt.timedelta(seconds=5))
    right = captcha.answer_payload(made["token"], str(made["a"] + made["b"]))
    assert captcha.verify_answer(right, "secret") is not None
    assert captcha.verify_answer(right, "other secret") is None
    body, signature = made["token"].split(".")
    forged = captcha.answer_payload(body[:-2] + "AA." + signature, "2")
    assert captcha.verify_answer(forged, "secret") is None
    clock.shift(captcha.LIFETIME)
    assert captcha.verify_answer(right, "secret") is None  # expired


# ------------------------------------------------------------------ remove asks first

async def test_remove_asks_first_and_then_says_removed_not_saved(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    await post(browser_like, "/record/experience", EXPERIENCE, files={
        "certificate": ("letter.pdf", MINIMAL_PDF, "application/pdf")})
    experience = await Experience.get()

    page = await browser_like.get("/record", headers=EN)
    assert f'href="/record/experience/{experience.id}/remove#experience"' in page.text
    one_click = await post(browser_like, f"/record/experience/{experience.id}/remove", {})
    assert one_click.status_code == 303 and await Experience.exists(id=experience.id)
    asked = await browser_like.get(one_click.headers["location"], headers=EN)
    assert "Remove the experience at King Fahad Medical City?" in asked.text
    assert 'name="confirmed" value="1"' in asked.text
    asked_htmx = await browser_like.get(f"/record/experience/{experience.id}/remove",
                                        headers={**HTMX, **EN})
    assert asked_htmx.text.lstrip().startswith("<section") and "Yes, remove it" in \
        asked_htmx.text

    removed = await post(browser_like, f"/record/experience/{experience.id}/remove",
                         {"confirmed": "1"}, headers={**HTMX, **EN})
    assert removed.status_code == 200
    assert "The experience is removed from your record." in removed.text
    assert "Your experience is saved." not in removed.text
    assert not await Experience.exists(id=experience.id)


async def test_without_javascript_the_removal_comes_back_to_the_record_saying_so(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    await post(browser_like, "/record/experience", EXPERIENCE)
    experience = await Experience.get()
    removed = await post(browser_like, f"/record/experience/{experience.id}/remove",
                         {"confirmed": "1"})
    assert removed.headers["location"] == "/record?removed=experience#experience"
    page = await browser_like.get("/record?removed=experience", headers=EN)
    assert "The experience is removed from your record." in page.text


# ------------------------------------------------------------------ cancel and refund

async def paid_application(browser_like, status: str = "SUBMITTED") -> Application:
    await post(browser_like, "/services/good-standing", {})
    application = await Application.get(kind="GOOD_STANDING")
    await Application.filter(id=application.id).update(status=status)
    await Payment.create(application=application, provider="sandbox", method="MADA",
                         status="PAID", amount=Decimal("100.00"),
                         idempotency_key=uuid.uuid4().hex,
                         provider_payment_id=f"sbx_{uuid.uuid4()}", paid_at=clock.now())
    return application


async def test_cancelling_a_paid_application_says_what_happens_to_the_money(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    application = await paid_application(browser_like)
    detail = await browser_like.get(f"/applications/{application.id}", headers=EN)
    assert f'href="/applications/{application.id}/cancel"' in detail.text
    assert 'data-refund-status="NOT_REQUESTED"' in detail.text
    assert f'action="/applications/{application.id}/refund"' not in detail.text

    one_click = await post(browser_like, f"/applications/{application.id}/cancel", {})
    assert one_click.headers["location"] == f"/applications/{application.id}/cancel"
    assert (await Application.get(id=application.id)).status == "SUBMITTED"
    asked = await browser_like.get(one_click.headers["location"], headers=EN)
    assert "You paid \u2068100.00\u2069 SAR. After cancelling you can ask for a refund" in \
        asked.text
    assert "Yes, cancel it and ask for a refund" in asked.text

    cancelled = await post(browser_like, f"/applications/{application.id}/cancel",
                           {"confirmed": "1", "refund": "1"})
    assert cancelled.headers["location"].endswith("done=cancel-refund")
    assert (await Application.get(id=application.id)).status == "CANCELLED"
    assert (await Payment.get(application_id=application.id)).refund_status == "REQUESTED"
    detail = await browser_like.get(cancelled.headers["location"], headers=EN)
    assert 'data-refund-status="REQUESTED"' in detail.text
    assert "You asked for a refund" in detail.text
    # The button does not come back: the request is there, with its state.
    assert f'action="/applications/{application.id}/refund"' not in detail.text


async def test_a_refund_refused_shows_why_on_the_application_and_in_the_email(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    application = await paid_application(browser_like)
    await post(browser_like, f"/applications/{application.id}/cancel", {"confirmed": "1"})
    detail = await browser_like.get(f"/applications/{application.id}", headers=EN)
    assert f'action="/applications/{application.id}/refund"' in detail.text  # can ask now
    asked = await post(browser_like, f"/applications/{application.id}/refund", {})
    assert asked.headers["location"].endswith("done=refund")

    payment = await Payment.get(application_id=application.id)
    _, admin = await staff_session("admin")
    decided = await gql(client, operations()["AdminDecideRefund"], {"input": {
        "paymentId": str(payment.id), "approve": False,
        "reason": "The certificate was already issued."}}, token=admin)
    assert decided["data"]["decideRefund"]["errors"] == []

    detail = await browser_like.get(f"/applications/{application.id}", headers=EN)
    assert 'data-refund-status="DECLINED"' in detail.text
    assert "Your refund request was refused" in detail.text
    assert "The certificate was already issued." in detail.text
    applicant = await Account.get(id=application.applicant_id)
    mail = await _refund_mail(applicant.email)
    assert "The certificate was already issued." in mail.payload["text"]
    assert "100.00" in mail.payload["text"]


async def _refund_mail(email: str) -> OutboxMessage:
    found = [m for m in await OutboxMessage.filter(recipient=email)
             if "refund" in m.payload.get("subject", "").lower()
             or "الاسترداد" in m.payload.get("subject", "")
             or "المسترد" in m.payload.get("subject", "")]
    assert len(found) == 1, [m.payload.get("subject") for m in
                             await OutboxMessage.filter(recipient=email)]
    return found[0]


async def test_a_refund_paid_out_shows_on_the_application_with_its_steps(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    application = await paid_application(browser_like)
    await post(browser_like, f"/applications/{application.id}/cancel",
               {"confirmed": "1", "refund": "1"})
    payment = await Payment.get(application_id=application.id)
    _, admin = await staff_session("admin")
    decided = await gql(client, operations()["AdminDecideRefund"], {"input": {
        "paymentId": str(payment.id), "approve": True}}, token=admin)
    assert decided["data"]["decideRefund"]["errors"] == []
    detail = await browser_like.get(f"/applications/{application.id}", headers=EN)
    assert 'data-refund-status="REFUNDED"' in detail.text
    assert "\u2068100.00\u2069 SAR paid back the way you paid" in detail.text
    refunded = await Payment.get(id=payment.id)
    assert refunded.refund_decided_at is not None
    mail = await _refund_mail((await Account.get(id=application.applicant_id)).email)
    assert "100.00" in mail.payload["text"]


async def test_a_reviewed_application_says_its_fee_is_not_refunded_before_cancelling(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    application = await paid_application(browser_like, status="RETURNED")
    await ApplicationEvent.create(application=application, from_status="SUBMITTED",
                                  to_status="IN_REVIEW", reason="")
    asked = await browser_like.get(f"/applications/{application.id}/cancel", headers=EN)
    assert "its fee is not refunded if you cancel it" in asked.text
    assert 'name="refund"' not in asked.text
    done = await post(browser_like, f"/applications/{application.id}/cancel",
                      {"confirmed": "1"})
    detail = await browser_like.get(done.headers["location"], headers=EN)
    assert "This fee is not refunded" in detail.text
    assert csrf_of(browser_like)
