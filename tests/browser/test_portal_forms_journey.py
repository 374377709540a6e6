"""Issue 16 points 3, 4, 5, 7 and 8 in Chromium, in Arabic and in English, with JavaScript
and without: a refused file saves nothing, errors are pages in the user's language, the
robot check has a path without JavaScript, Remove and Cancel ask first, and a refund shows
where it is."""

import itertools
import json
import os
import re

import pytest
from playwright.sync_api import expect

from server.config import load_settings
from server.context import session_cookie_name
from server.domain.identity import saudi_id_check_digit
from server.i18n import LANG_COOKIE, gettext
from tests.browser.helpers import assert_accessible
from tests.browser.journeys import last_email, seed
from tests.builders import MINIMAL_PDF
from tests.journeys import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = "/tmp/shots-portal-forms"
_numbers = itertools.count(1)
PERSON = """
import datetime as dt, json, uuid
from decimal import Decimal
from server.models.accounts import Account
from server.models.payments import Payment
from server.models.practitioners import Experience, Practitioner, Registration
from server.resolvers.kernel import lifecycle
from server.resolvers.accounts.sessions import open_session
today = clock.today()
account = await Account.create(email="{email}", mobile="{mobile}", first_name="Huda",
    family_name="Alharbi", password_hash="x", status="ACTIVE", language="{lang}",
    email_verified_at=dt.datetime.now(dt.UTC), mobile_verified_at=dt.datetime.now(dt.UTC))
p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
    identity_number="{identity}", first_name_ar="هدى", father_name_ar="سعد",
    grandfather_name_ar="علي", family_name_ar="الحربي", first_name_en="Huda",
    father_name_en="Saad", grandfather_name_en="Ali", family_name_en="Alharbi",
    date_of_birth=dt.date(1986, 5, 2), gender="F", nationality="SA", category="NURSE",
    specialty="GENERAL_NURSING", rank="SPECIALIST", claimed_at=dt.datetime.now(dt.UTC))
await Registration.create(practitioner=p, number="{number}", rank="SPECIALIST",
    specialty="GENERAL_NURSING", valid_from=today - dt.timedelta(days=700),
    valid_until=today + dt.timedelta(days=300))
experience = await Experience.create(practitioner=p, city="Jeddah", country="SA",
    workplace="King Abdulaziz Hospital", specialty="Nursing",
    start_date=dt.date(2015, 3, 1), end_date=dt.date(2017, 2, 1), organization_type="GOVERNMENT")
application = await lifecycle.create("GOOD_STANDING", account, p, status="SUBMITTED",
    fee=Decimal("100.00"), data={{}})
payment = await Payment.create(application=application, provider="sandbox", method="MADA",
    status="PAID", amount=Decimal("100.00"), idempotency_key=uuid.uuid4().hex,
    provider_payment_id="sbx_" + uuid.uuid4().hex, paid_at=dt.datetime.now(dt.UTC))
print(json.dumps({{"token": await open_session(account), "experience": str(experience.id),
    "application": str(application.id), "payment": str(payment.id)}}))
"""
DECLINE = """
from server.models.accounts import Account
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
found = await Account.get_or_none(email="portal-forms-admin@example.test")
if found is None:
    found, _ = await create_staff("portal-forms-admin@example.test", "admin",
                                  "quiet meadow lantern 9")
print(await open_session(found))
"""
DECIDE_REFUND = """mutation D($input: DecideRefundInput!) {
  decideRefund(input: $input) { errors { message } } }"""


def person(base_url, lang: str) -> dict:
    """A practitioner of our own (identity 162xxxxxxC), signed in, with a past experience
    and a paid good-standing application waiting for review."""
    n = next(_numbers) + os.getpid() % 1000 * 10
    first_nine = f"162{n:06d}"
    values = json.loads(seed(base_url, PERSON.format(
        email=f"portal-forms-{n}@example.test", mobile=f"+9665516{n % 100000:05d}"[:13],
        identity=first_nine + saudi_id_check_digit(first_nine), lang=lang,
        number=f"21-R-162{n:04d}")).strip().splitlines()[-1])
    values["email"] = f"portal-forms-{n}@example.test"
    return values


def open_as(new_page, base_url, who: dict, lang: str, width: int = 1280,
            javascript: bool = True):
    page = new_page(width=width, javascript=javascript,
                    locale="ar-SA" if lang == "ar" else "en-GB")
    cookie = session_cookie_name(load_settings({"DATA_DIR": str(base_url.data_dir)}))
    page.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base_url},
                              {"name": cookie, "value": who["token"], "url": base_url}])
    return page


def shoot(page, name: str, lang: str) -> None:
    """The page at 390 and 1280 px, for a person to look at."""
    os.makedirs(SHOTS, exist_ok=True)
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{SHOTS}/{name}-{lang}-{width}.png", full_page=True)


def files(tmp_path) -> dict:
    exe = tmp_path / "program.exe"
    exe.write_bytes(b"MZ" + b"\0" * 500)
    big = tmp_path / "big-scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10))
    huge = tmp_path / "huge-scan.pdf"
    huge.write_bytes(b"%PDF-1.4\n" + b"0" * (12 * 1024 * 1024))
    good = tmp_path / "certificate.pdf"
    good.write_bytes(MINIMAL_PDF)
    return {"exe": str(exe), "big": str(big), "huge": str(huge), "good": str(good)}


def fill_experience(form, workplace: str) -> None:
    form.locator("[name=workplace]").fill(workplace)
    form.locator("[name=specialty]").fill("Nursing")
    form.locator("[name=city]").fill("Riyadh")
    form.locator("[name=organizationType]").select_option("GOVERNMENT")
    form.locator("[name=startDate-day]").fill("1")
    form.locator("[name=startDate-month]").fill("3")
    form.locator("[name=startDate-year]").fill("2020")


TEXT = {
    "ar": {"wrong": "ارفع ملفًا بصيغة PDF أو JPEG أو PNG", "big": "أكبر من 5 ميغابايت",
           "saved": "الخبرة", "removed": "حُذفت الخبرة من سجلك.",
           "remove_q": "هل تريد حذف الخبرة في", "money": "ماذا يحدث للمبلغ المدفوع",
           "refused": "رُفض طلب الاسترداد"},
    "en": {"wrong": "Upload a PDF, JPEG or PNG file.", "big": "larger than 5 MB",
           "saved": "Your experience is saved.", "removed":
           "The experience is removed from your record.",
           "remove_q": "Remove the experience at", "money": "What happens to the money",
           "refused": "Your refund request was refused"},
}


# ------------------------------------------------------------------ point 3 and 4

@pytest.mark.parametrize("lang,width", [("ar", 390), ("en", 1280)])
def test_a_refused_file_is_named_before_sending_and_nothing_is_saved_without_it(
        new_page, base_url, tmp_path, lang, width):
    who = person(base_url, lang)
    paths = files(tmp_path)
    page = open_as(new_page, base_url, who, lang, width)
    page.goto("/record")
    section = page.locator("#experience")
    section.locator("summary").click()
    form = section.locator("form").last
    fill_experience(form, "Dr Sulaiman Al Habib Hospital")
    form.locator("[name=certificate]").set_input_files(paths["exe"])
    note = form.locator("[data-file-error]")
    expect(note).to_be_visible()
    assert "program.exe" in note.inner_text()
    assert form.locator("[name=certificate]").get_attribute("aria-invalid") == "true"
    form.locator("button[type=submit]").click()  # not sent: the file was refused
    page.wait_for_timeout(500)
    assert "Dr Sulaiman Al Habib Hospital" not in section.locator(".entry-list").inner_text()
    assert form.locator("[name=workplace]").input_value() == "Dr Sulaiman Al Habib Hospital"

    form.locator("[name=certificate]").set_input_files(paths["big"])
    expect(note).to_contain_text("5")
    assert_accessible(page)
    if lang == "ar":
        shoot(page, "record-file-refused", lang)
    form.locator("[name=certificate]").set_input_files(paths["good"])
    expect(note).to_be_hidden()
    form.locator("button[type=submit]").click()
    expect(page.locator("#experience .entry-list")).to_contain_text(
        "Dr Sulaiman Al Habib Hospital")
    assert page.locator("#experience .entry__title").count() == 2


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_without_javascript_a_refused_file_keeps_what_was_typed_and_too_large_is_a_page(
        new_page, base_url, tmp_path, lang):
    who = person(base_url, lang)
    paths = files(tmp_path)
    page = open_as(new_page, base_url, who, lang, 390, javascript=False)
    page.goto("/record")
    page.locator("#experience summary").click()
    form = page.locator("#experience form").last
    fill_experience(form, "Security Forces Hospital")
    form.locator("[name=certificate]").set_input_files(paths["exe"])
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert TEXT[lang]["wrong"] in page.inner_text("main")
    assert page.locator("#experience [name=workplace]").input_value() == \
        "Security Forces Hospital"
    assert "Security Forces Hospital" not in page.locator(".entry-list").inner_text()

    form = page.locator("#experience form").last
    form.locator("[name=certificate]").set_input_files(paths["big"])
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#experience [name=workplace]").input_value() == \
        "Security Forces Hospital"
    assert TEXT[lang]["big"] in page.locator("#field-certificate-error").inner_text()

    form = page.locator("#experience form").last
    form.locator("[name=certificate]").set_input_files(paths["huge"])
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang
    assert "{" not in page.inner_text("body")[:20]  # a page, not JSON
    assert page.locator("[data-request-error]").count() == 1
    assert page.locator("a[href='/record']").count() >= 1  # back to the form
    shoot(page, "error-413", lang)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_an_htmx_request_refused_by_the_server_says_why_in_the_page_language(
        new_page, base_url, lang):
    who = person(base_url, lang)
    page = open_as(new_page, base_url, who, lang)
    page.goto("/record")
    # The CSRF cookie is lost (another tab signed out, the browser cleared it): a 403.
    page.context.clear_cookies(name=next(c["name"] for c in page.context.cookies()
                                         if c["name"].endswith("csrf")))
    section = page.locator("#experience")
    section.locator("summary").click()
    form = section.locator("form").last
    fill_experience(form, "Prince Sultan Military Medical City")
    form.locator("button[type=submit]").click()
    banner = page.locator("#request-failed")
    expect(banner).to_be_visible()
    words = banner.inner_text()
    assert ("لم يُحفظ" in words) if lang == "ar" else ("Nothing was saved" in words)
    assert form.locator("[name=workplace]").input_value() == \
        "Prince Sultan Military Medical City"


# ------------------------------------------------------------------ point 5

@pytest.mark.parametrize("lang", ["ar", "en"])
def test_registration_without_javascript_answers_a_sum_instead_of_the_widget(
        new_page, base_url, lang):
    page = new_page(width=390, javascript=False, locale="ar-SA" if lang == "ar" else "en-GB")
    page.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base_url}])
    page.goto("/register")
    n = next(_numbers) + os.getpid() % 1000 * 10
    email = f"portal-forms-nojs-{n}@example.test"
    page.fill("#field-firstName", "Noura")
    page.fill("#field-familyName", "Alotaibi")
    page.fill("#field-email", email)
    page.fill("#field-emailConfirmation", email)
    page.fill("#field-password", PASSWORD)
    page.fill("#field-passwordConfirmation", PASSWORD)
    page.fill("#field-mobile", f"05516{n % 100000:05d}")
    page.check("#field-acceptTerms")
    label = page.locator("label[for=field-robotAnswer]").inner_text()
    a, b = (int(x) for x in re.findall(r"\d", label)[:2])
    page.fill("#field-robotAnswer", str(a + b + 1))  # wrong first
    page.wait_for_timeout(3200)  # a person reads the form
    page.click("#register-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#captcha-error").count() == 1
    assert page.locator("#field-email").input_value() == email
    label = page.locator("label[for=field-robotAnswer]").inner_text()
    a, b = (int(x) for x in re.findall(r"\d", label)[:2])
    page.fill("#field-password", PASSWORD)
    page.fill("#field-passwordConfirmation", PASSWORD)
    page.fill("#field-robotAnswer", str(a + b))
    shoot(page, "register-nojs", lang)
    page.wait_for_timeout(3200)
    page.click("#register-form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/mobile\?account="))


# ------------------------------------------------------------------ point 7

@pytest.mark.parametrize("lang,javascript", [("ar", True), ("en", False), ("ar", False),
                                             ("en", True)])
def test_remove_asks_first_and_then_says_removed(new_page, base_url, lang, javascript):
    who = person(base_url, lang)
    page = open_as(new_page, base_url, who, lang, 390, javascript=javascript)
    page.goto("/record")
    entry = page.locator("#experience .entry", has_text="King Abdulaziz Hospital")
    entry.locator(f"a[href^='/record/experience/{who['experience']}/remove']").click()
    box = page.locator(".confirm-box")
    expect(box).to_be_visible()
    assert TEXT[lang]["remove_q"] in box.inner_text()
    if javascript:  # axe is a script: it cannot run where JavaScript is off
        assert_accessible(page)
        shoot(page, "record-remove-confirm", lang)
    box.locator("a").click()  # No, keep it
    expect(page.locator(".confirm-box")).to_have_count(0)
    assert "King Abdulaziz Hospital" in page.locator("#experience").inner_text()

    entry = page.locator("#experience .entry", has_text="King Abdulaziz Hospital")
    entry.locator(f"a[href^='/record/experience/{who['experience']}/remove']").click()
    page.locator(".confirm-box button[type=submit]").click()
    expect(page.locator("#experience")).to_contain_text(TEXT[lang]["removed"])
    assert "King Abdulaziz Hospital" not in page.locator("#experience").inner_text()


# ------------------------------------------------------------------ point 7 and 8

@pytest.mark.parametrize("lang,javascript", [("en", True), ("ar", False), ("ar", True),
                                             ("en", False)])
def test_cancel_a_paid_application_then_follow_the_refund_to_its_answer(
        new_page, base_url, lang, javascript):
    who = person(base_url, lang)
    page = open_as(new_page, base_url, who, lang, 390, javascript=javascript)
    page.goto(f"/applications/{who['application']}")
    page.click(f"a[href='/applications/{who['application']}/cancel']")
    page.wait_for_url(re.compile(r"/cancel$"))
    assert TEXT[lang]["money"] in page.inner_text("main")
    assert "100.00" in page.locator("[data-cancel-money]").inner_text()
    if javascript:  # axe is a script: it cannot run where JavaScript is off
        assert_accessible(page)
    shoot(page, "application-cancel", lang)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"done=cancel-refund"))
    assert page.locator("[data-refund-status]").get_attribute("data-refund-status") == \
        "REQUESTED"
    assert page.locator(f"form[action='/applications/{who['application']}/refund']"
                        ).count() == 0  # the request stays; the button does not come back
    page.reload()
    assert page.locator("[data-refund-status]").get_attribute("data-refund-status") == \
        "REQUESTED"

    admin = seed(base_url, DECLINE).strip().splitlines()[-1]
    import urllib.request

    body = json.dumps({"query": DECIDE_REFUND, "variables": {"input": {
        "paymentId": who["payment"], "approve": False,
        "reason": "الشهادة صدرت قبل الإلغاء" if lang == "ar" else
        "The certificate was issued before the cancellation."}}}).encode()
    request = urllib.request.Request(f"{base_url}/graphql", data=body, headers={
        "content-type": "application/json", "authorization": f"Bearer {admin}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        assert json.load(response)["data"]["decideRefund"]["errors"] == []
    page.reload()
    refund = page.locator("#refund")
    assert TEXT[lang]["refused"] in refund.inner_text()
    assert ("الشهادة صدرت قبل الإلغاء" if lang == "ar" else
            "The certificate was issued before the cancellation.") in refund.inner_text()
    if javascript:
        assert_accessible(page)
    shoot(page, "application-refund-refused", lang)
    # The refusal's own email (the cancellation's may be delivered after it).
    mail = last_email(base_url, who["email"],
                      gettext(lang, "Your refund request was refused"))
    assert "100.00" in mail.text and ("الشهادة" in mail.text or "certificate" in mail.text)
