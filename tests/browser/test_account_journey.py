"""The account journey in Arabic, in Chromium: register (the real ALTCHA widget solves its
challenge) → the link from the captured email → the SMS code → sign in → sign out."""

import re
import time

import pytest

from tests.browser.helpers import assert_accessible, sign_out
from tests.browser.journeys import last_email, last_sms_code

pytestmark = pytest.mark.browser

PASSWORD = "cedar harbour lantern 42"


def wait_for_captcha(page, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    field = page.locator('input[name="altcha"]')
    while time.monotonic() < deadline:
        if field.count() and field.input_value():
            return
        time.sleep(0.1)
    raise AssertionError("the ALTCHA widget did not solve its challenge")


def register(page, email: str, mobile: str) -> None:
    page.goto("/register")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("#field-firstName", "سارة")
    page.fill("#field-familyName", "القحطاني")
    page.fill("#field-email", email)
    page.fill("#field-emailConfirmation", email)
    page.fill("#field-password", PASSWORD)
    page.fill("#field-passwordConfirmation", PASSWORD)
    page.fill("#field-mobile", mobile)
    page.check("#field-acceptTerms")
    wait_for_captcha(page)
    page.click("#register-form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/mobile\?account="))


def test_register_confirm_verify_sign_in_and_out_in_arabic(new_page, base_url):
    page = new_page(width=390, height=844)
    started = time.time()
    register(page, "sara.browser@example.com", "0551112233")
    assert "أدخل الرمز" in page.inner_text("h1")

    mail = last_email(base_url, "sara.browser@example.com")
    link = re.search(r"(http://\S+/register/confirm\?token=\S+)", mail.text).group(1)
    code = last_sms_code(base_url, "+966551112233", after=started)

    page.fill("#field-code", code)
    page.click("#mobile-step form button[type=submit]")
    page.wait_for_url(re.compile(r"done=1"))

    page.goto(link)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/login\?ready=1"))
    assert_accessible(page)

    page.fill("#field-identifier", "sara.browser@example.com")
    page.fill("#field-password", PASSWORD)
    signing_in = time.time()
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/login/code"))
    login_code = last_sms_code(base_url, "+966551112233", after=signing_in)
    page.fill("#field-code", login_code)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    assert "خدماتي" in page.inner_text("h1")
    assert_accessible(page)

    sign_out(page)
    page.wait_for_url(re.compile(r"/login\?signed_out=1"))
    page.goto("/account/security")
    assert "/login" in page.url


def test_a_wrong_form_keeps_what_was_typed_and_names_the_problem(new_page):
    page = new_page()
    page.goto("/register")
    page.fill("#field-firstName", "سارة")
    page.fill("#field-email", "not-an-email")
    page.click("#register-form button[type=submit]")
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.input_value("#field-firstName") == "سارة"
    assert "name@example.com" in summary.inner_text()  # the email's message, in Arabic
    assert_accessible(page)
