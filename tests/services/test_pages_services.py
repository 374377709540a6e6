"""The service pages: each form creates its application and goes on to payment."""

from server.context import session_cookie_name
from server.models.applications import Application
from tests.builders import MINIMAL_PDF, claimed_practitioner
from tests.conftest import csrf_of


async def signed_in(browser_like, client, deliver, smtp_server, sms_gateway, **record):
    _, token, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                        sms_gateway, **record)
    browser_like.cookies.set(session_cookie_name(browser_like._transport.app.state.settings),
                             token)
    return practitioner


async def post(browser_like, path, data, files=None):
    return await browser_like.post(path, data={"csrf_token": csrf_of(browser_like), **data},
                                   files=files)


async def test_every_service_page_renders_in_both_languages(browser_like, client, deliver,
                                                            smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    for slug in ("good-standing", "training-certificate", "qualification-evaluation",
                 "classification", "registration", "reclassification"):
        for lang in ("ar", "en"):
            page = await browser_like.get(f"/services/{slug}",
                                          headers={"accept-language": lang},
                                          cookies={"lang": lang})
            assert page.status_code == 200, (slug, lang)
            assert f'action="/services/{slug}"' in page.text
    assert (await browser_like.get("/services/nothing")).status_code == 404


async def test_good_standing_goes_to_payment(browser_like, client, deliver, smtp_server,
                                             sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    response = await post(browser_like, "/services/good-standing", {})
    assert response.status_code == 303 and response.headers["location"].endswith("/pay")
    application = await Application.get(kind="GOOD_STANDING")
    assert application.status == "AWAITING_PAYMENT"


async def test_a_training_certificate_form_keeps_its_file_after_an_error(
        browser_like, client, deliver, smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    missing = await post(browser_like, "/services/training-certificate", {
        "programme": "Residency", "startDate-day": "1", "startDate-month": "7",
        "startDate-year": "2015", "endDate-day": "30", "endDate-month": "6",
        "endDate-year": "2019"}, files={"evidence": ("letter.pdf", MINIMAL_PDF,
                                                     "application/pdf")})
    assert missing.status_code == 422
    assert "letter.pdf" in missing.text and 'value="Residency"' in missing.text
    assert await Application.filter(kind="TRAINING_CERTIFICATE").count() == 0


async def test_cancel_then_refund_from_the_application_page(browser_like, client, deliver,
                                                            smtp_server, sms_gateway):
    await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    await post(browser_like, "/services/good-standing", {})
    application = await Application.get(kind="GOOD_STANDING")
    asked_first = await post(browser_like, f"/applications/{application.id}/cancel", {})
    assert asked_first.headers["location"] == f"/applications/{application.id}/cancel"
    assert (await Application.get(id=application.id)).status == "AWAITING_PAYMENT"
    cancelled = await post(browser_like, f"/applications/{application.id}/cancel",
                           {"confirmed": "1"})
    assert cancelled.headers["location"].endswith("done=cancel")
    assert (await Application.get(id=application.id)).status == "CANCELLED"
    nothing_paid = await post(browser_like, f"/applications/{application.id}/refund", {})
    assert "problem=refund" in nothing_paid.headers["location"]
    page = await browser_like.get(nothing_paid.headers["location"])
    assert page.status_code == 200


async def test_a_waiting_application_says_how_long_its_step_usually_takes(
        browser_like, client, deliver, smtp_server, sms_gateway):
    from server.models.practitioners import Practitioner

    practitioner = await signed_in(browser_like, client, deliver, smtp_server, sms_gateway)
    await Practitioner.filter(id=practitioner.id).update(sanctioned=True)
    await post(browser_like, "/services/good-standing", {})
    application = await Application.get(kind="GOOD_STANDING")
    await Application.filter(id=application.id).update(status="SUBMITTED")
    page = await browser_like.get(f"/applications/{application.id}",
                                  headers={"accept-language": "en"}, cookies={"lang": "en"})
    assert "Days to a decision, usually: \u206810\u2069" in page.text
