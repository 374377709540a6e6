"""The password strength meter in Chromium, Arabic and English: it says a guessable
password is weak and why as it is typed, calls a good one strong, and never stops the form
(a good password registers; CSP `default-src 'self'` holds: no console errors)."""

import re

import pytest

from tests.browser.helpers import assert_accessible
from tests.browser.test_account_journey import PASSWORD, wait_for_captcha

pytestmark = pytest.mark.browser


def meter_text(page) -> str:
    page.wait_for_selector('[data-password-meter="field-password"]:not([hidden])')
    return page.inner_text('[data-password-meter="field-password"] [data-password-meter-text]')


@pytest.mark.parametrize(("locale", "weak_words", "strong_word"), [
    ("ar-SA", "لوحة المفاتيح", "قوية"), ("en-GB", "Keyboard", "strong")])
def test_the_meter_says_why_as_the_user_types_and_never_blocks(
        new_page, locale, weak_words, strong_word):
    page = new_page(width=390, height=844, locale=locale)
    errors = []
    page.on("console", lambda m: errors.append((m.text, m.location.get("url")))
            if m.type == "error" and "favicon" not in m.location.get("url", "") else None)
    page.goto("/register")
    assert page.locator("html").get_attribute("lang") == locale[:2]
    assert page.locator('[data-password-meter="field-password"]').is_hidden()
    page.type("#field-password", "asdfghjkl;lkj", delay=10)
    page.wait_for_selector('[data-password-meter="field-password"][data-ok="false"]')
    assert weak_words in meter_text(page)
    page.fill("#field-password", "")
    page.type("#field-password", PASSWORD, delay=5)
    page.wait_for_selector('[data-password-meter="field-password"][data-ok="true"]')
    assert strong_word in meter_text(page).lower()
    assert_accessible(page)

    email = f"meter.{locale}@example.com"
    page.fill("#field-firstName", "Sara")
    page.fill("#field-familyName", "Alqahtani")
    page.fill("#field-email", email)
    page.fill("#field-emailConfirmation", email)
    page.fill("#field-passwordConfirmation", PASSWORD)
    page.fill("#field-mobile", "0557771122" if locale == "ar-SA" else "0557771133")
    page.check("#field-acceptTerms")
    wait_for_captcha(page)
    page.click("#register-form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/mobile\?account="))
    assert errors == []
