"""The leftovers of issue 21 in Chromium, in Arabic and in English: an admin disables a
reviewer (their open session ends, sign-in is refused) and enables them again (they sign in
with password and authenticator app and open the queue); the holiday list's page works
without JavaScript; the outbox, employer and find pages show Riyadh's time and Arabic
words; the find page's results are cards on a 390 px phone. Screenshots go to
/tmp/shots-staffui/."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from server.config import load_settings
from server.context import session_cookie_name
from server.domain import otp
from server.domain.identity import saudi_id_check_digit
from server.i18n import LANG_COOKIE, gettext
from tests.browser.helpers import assert_accessible, assert_fits
from tests.browser.journeys import seed

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-staffui")
PASSWORD = "quiet meadow lantern 9"
# 22:30 UTC on 30 November is 01:30 on 1 December in Riyadh (UTC+3).
AT_UTC = "2026-11-30T22:30:00+00:00"
RIYADH_TIME, RIYADH_DAY, UTC_DAY = "2026-12-01 01:30", "2026-12-01", "2026-11-30"


def identity(serial: int) -> str:
    body = "1740000" + f"{serial:02d}"
    return body + str(saudi_id_check_digit(body))


SEED = """
import datetime as dt, json
from server.models.accounts import Account
from server.models.applications import Application
from server.models.employers import ApiKey, Organization, WebhookDelivery
from server.models.outbox import OutboxMessage
from server.models.practitioners import Practitioner
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
from server.resolvers.kernel import lifecycle
at = dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC)
out = {}
for lang, identity in (("ar", IDENTITY_AR), ("en", IDENTITY_EN)):
    admin, _ = await create_staff(f"staffui-admin-{lang}@example.test", "admin", PASSWORD)
    reviewer, uri = await create_staff(f"staffui-returner-{lang}@example.test", "reviewer",
                                       PASSWORD, "Nawaf", "Alotaibi")
    out[f"admin-{lang}"] = await open_session(admin)
    out[f"reviewer-{lang}"] = await open_session(reviewer)
    out[f"reviewer-id-{lang}"] = str(reviewer.id)
    out[f"uri-{lang}"] = uri
    dead = await OutboxMessage.create(channel="email",
        recipient=f"staffui-dead-{lang}@example.test", payload={}, status="DEAD", attempts=8,
        next_attempt_at=at, last_error=f"550 staffui-{lang} mailbox unavailable.")
    await OutboxMessage.filter(id=dead.id).update(created_at=at)
    org = await Organization.create(name_ar="مستشفى الريان", name_en="Al Rayyan Hospital",
                                    contact_email=f"hr-{lang}@rayyan.example")
    await ApiKey.create(organization=org, name="HR", prefix=f"sk_{lang}01",
        secret_hash=f"staffui-{lang}-" + "0" * 40, scopes="REGISTER_READ,WATCH",
        last_used_at=at)
    delivery = await WebhookDelivery.create(organization=org, webhook_id=f"msg_staffui_{lang}",
        event_type="registration.suspended", registration_number="24-R-0740001",
        body="{}", attempts=1, status_code=200, delivered_at=at)
    await WebhookDelivery.filter(id=delivery.id).update(created_at=at)
    out[f"org-{lang}"] = str(org.id)
    account = await Account.create(email=f"staffui-applicant-{lang}@example.test",
        mobile="+966551234567", first_name="Huda", family_name="Alharbi", password_hash="x",
        status="ACTIVE", email_verified_at=at, mobile_verified_at=at)
    p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
        identity_number=identity, first_name_ar="هدى", father_name_ar="سعد",
        grandfather_name_ar="علي", family_name_ar="الحربي", first_name_en="Huda",
        father_name_en="Saad", grandfather_name_en="Ali", family_name_en="Alharbi",
        date_of_birth=dt.date(1988, 2, 3), gender="F", nationality="SA", category="NURSE",
        specialty="GENERAL_NURSING", rank="SPECIALIST", claimed_at=at)
    for n in range(3):
        application = await lifecycle.create("CPD_RECOGNITION", account, p, status="SUBMITTED",
                                             data={"title": f"ACLS {n}"})
        await Application.filter(id=application.id).update(submitted_at=at, created_at=at)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def seeded(base_url):
    script = (SEED.replace("IDENTITY_AR", repr(identity(1))).replace(
        "IDENTITY_EN", repr(identity(2))).replace("PASSWORD", repr(PASSWORD)))
    values = json.loads(seed(base_url, script).strip().splitlines()[-1])
    return {**values, "cookie": session_cookie_name(load_settings(
        {"DATA_DIR": str(base_url.data_dir)}))}


def open_as(new_page, base_url, seeded, token: str | None, lang: str, width: int = 1280,
            javascript: bool = True):
    page = new_page(width=width, height=844 if width < 600 else 800, javascript=javascript)
    cookies = [{"name": LANG_COOKIE, "value": lang, "url": base_url}]
    if token:
        cookies.append({"name": seeded["cookie"], "value": token, "url": base_url})
    page.context.add_cookies(cookies)
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def words(lang: str, message: str, **values) -> str:
    text = gettext(lang, message, **values)
    if lang == "ar":
        assert text != message % values if values else text != message, f"untranslated: {message}"
    return text


def sign_in_with_the_app(page, email: str, secret: str) -> None:
    page.goto("/login")
    page.fill("#field-identifier", email)
    page.fill("#field-password", PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").first.click()
    page.wait_for_url("**/login/code**")
    page.fill("#field-code", otp.hotp(secret, otp.totp_step(time.time())))
    with page.expect_navigation():
        page.locator("form[action='/login/code'] button[type=submit]").click()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_disabled_reviewer_is_shut_out_and_works_again_once_enabled(
        new_page, base_url, seeded, lang):
    reviewer_id, email = seeded[f"reviewer-id-{lang}"], f"staffui-returner-{lang}@example.test"
    secret = parse_qs(urlsplit(seeded[f"uri-{lang}"]).query)["secret"][0]
    reviewer = open_as(new_page, base_url, seeded, seeded[f"reviewer-{lang}"], lang)
    assert reviewer.goto("/review").status == 200

    admin = open_as(new_page, base_url, seeded, seeded[f"admin-{lang}"], lang)
    admin.goto("/admin/staff")
    admin.locator(f"a[href='/admin/staff/{reviewer_id}/disable']").click()
    admin.wait_for_url(f"**/admin/staff/{reviewer_id}/disable")
    assert_accessible(admin)
    admin.locator(f"form[action='/admin/staff/{reviewer_id}/disable'] button").click()
    admin.wait_for_url("**/admin/staff?done=disabled")
    assert words(lang, "The account is disabled and its sessions are ended.") in \
        admin.locator("main").inner_text()

    reviewer.goto("/review")
    assert "/login" in reviewer.url, "the open session ended with the account"
    reviewer.fill("#field-identifier", email)
    reviewer.fill("#field-password", PASSWORD)
    reviewer.locator("form[action='/login'] button[type=submit]").first.click()
    reviewer.locator(".error-summary").wait_for()
    assert words(lang, "This account is disabled.") in reviewer.locator("main").inner_text()
    assert "/login/code" not in reviewer.url

    admin.locator(f"form[action='/admin/staff/{reviewer_id}/enable'] button").click()
    admin.wait_for_url("**/admin/staff?done=enabled")
    assert words(lang, "The account is enabled: the person can sign in again.") in \
        admin.locator("main").inner_text()
    assert_accessible(admin)

    again = open_as(new_page, base_url, seeded, None, lang)
    sign_in_with_the_app(again, email, secret)
    assert again.goto("/review").status == 200
    assert words(lang, "Applications to review") in again.locator("h1").inner_text()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_an_admin_keeps_the_holiday_list_without_javascript(new_page, base_url, seeded, lang):
    year = 2027 if lang == "ar" else 2028
    page = open_as(new_page, base_url, seeded, seeded[f"admin-{lang}"], lang, 390,
                   javascript=False)
    page.goto("/admin")
    page.locator("a[href='/admin/holidays']").click()
    page.wait_for_url("**/admin/holidays")
    assert words(lang, "Holidays") in page.locator("h1").inner_text()

    page.fill("#field-date", "31")
    page.fill("input[name='date-month']", "2")
    page.fill("input[name='date-year']", str(year))
    page.fill("#field-nameAr", "يوم التأسيس")
    page.locator("#add-holiday button[type=submit]").click()
    main = page.locator("main").inner_text()
    assert words(lang, "Enter a real date: the day, the month and the year in 4 digits.") in main
    assert page.input_value("#field-nameAr") == "يوم التأسيس"

    page.fill("#field-date", "22")
    page.locator("#add-holiday button[type=submit]").click()
    assert words(lang, "Enter the holiday's name in English.") in page.locator("main").inner_text()
    page.fill("#field-nameEn", "Founding Day")
    page.locator("#add-holiday button[type=submit]").click()
    page.wait_for_url("**/admin/holidays?done=added")
    row = page.locator("tr", has_text=f"{year}-02-22")
    assert ("يوم التأسيس" if lang == "ar" else "Founding Day") in row.inner_text()
    assert_fits(page, 390)
    shot(page, f"admin-holidays-{lang}-390")

    page.fill("#field-date", "22")
    page.fill("input[name='date-month']", "2")
    page.fill("input[name='date-year']", str(year))
    page.fill("#field-nameAr", "يوم التأسيس")
    page.fill("#field-nameEn", "Founding Day")
    page.locator("#add-holiday button[type=submit]").click()
    assert words(lang, "This date is already on the holiday list.") in \
        page.locator("main").inner_text()

    page.goto("/admin/holidays")
    page.locator(f"a[href='/admin/holidays/{year}-02-22/remove']").click()
    page.wait_for_url(f"**/admin/holidays/{year}-02-22/remove")
    assert words(lang, "Are you sure?") in page.locator("main").inner_text()
    shot(page, f"admin-holiday-remove-{lang}-390")
    page.locator(f"form[action='/admin/holidays/{year}-02-22/remove'] button").click()
    page.wait_for_url("**/admin/holidays?done=removed")
    assert page.locator(f"a[href='/admin/holidays/{year}-02-22/remove']").count() == 0


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_holiday_page_is_accessible_with_javascript(new_page, base_url, seeded, lang):
    page = open_as(new_page, base_url, seeded, seeded[f"admin-{lang}"], lang)
    page.goto("/admin/holidays")
    page.locator("#add-holiday button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert_accessible(page)
    shot(page, f"admin-holidays-{lang}-1280")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_staff_pages_show_riyadh_time_and_arabic_words(new_page, base_url, seeded, lang):
    page = open_as(new_page, base_url, seeded, seeded[f"admin-{lang}"], lang)
    page.goto("/admin/outbox")
    row = page.locator("tr", has_text=f"550 staffui-{lang} mailbox")
    assert RIYADH_TIME in row.inner_text() and UTC_DAY not in row.inner_text()
    assert words(lang, "Queued (Riyadh time)") in page.locator("thead").inner_text()
    assert_accessible(page)
    shot(page, f"admin-outbox-{lang}-1280")

    page.goto(f"/admin/employers/{seeded[f'org-{lang}']}")
    main = page.locator("main").inner_text()
    assert main.count(RIYADH_TIME) == 2, "the key's last use and the delivery"
    assert "T22:30" not in main and "2026-11-30 22:30" not in main
    assert words(lang, "Registration suspended") in main
    assert_accessible(page)
    shot(page, f"admin-employer-{lang}-1280")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_find_results_are_cards_on_a_phone_in_riyadh_days(new_page, base_url, seeded, lang):
    number = identity(1 if lang == "ar" else 2)
    page = open_as(new_page, base_url, seeded, seeded[f"admin-{lang}"], lang, 390)
    page.goto(f"/review/find?q={number}")
    rows = page.locator("table.table--stack tbody tr")
    assert rows.count() == 3
    assert rows.first.evaluate("e => getComputedStyle(e).display") == "block"
    overflow = page.evaluate("[document.scrollingElement.scrollWidth,"
                             " document.scrollingElement.clientWidth]")
    assert overflow[0] <= overflow[1], f"scrolls sideways: {overflow}"
    assert_fits(page, 390)
    card = rows.first.inner_text()
    assert RIYADH_DAY in card and UTC_DAY not in card
    headings = page.locator("table.table--stack thead").text_content()
    assert words(lang, "Submitted") in headings and words(lang, "Applicant") in headings
    assert words(lang, "Submitted") in rows.first.locator("td").nth(2).get_attribute(
        "data-label")
    assert_accessible(page)
    shot(page, f"review-find-{lang}-390")
    wide = open_as(new_page, base_url, seeded, seeded[f"admin-{lang}"], lang)
    wide.goto(f"/review/find?q={number}")
    assert wide.locator("table.table--stack tbody tr").first.evaluate(
        "e => getComputedStyle(e).display") == "table-row"
    shot(wide, f"review-find-{lang}-1280")
