"""Staff workflow journeys in Chromium, in Arabic and in English: a supervisor keeps an
internal note and assigns a case; an admin previews a mass extension (how many, who, the
CSV), asks for it, and cannot approve their own request; the review queue fits a 390 px
phone as cards. axe checks each page on the way."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, assert_fits
from tests.browser.journeys import open_as, seeded_sessions

pytestmark = pytest.mark.browser

SEED = """
import datetime as dt, json
from server.models.accounts import Account
from server.models.practitioners import Practitioner, Registration
from server.resolvers.kernel import lifecycle
from server.resolvers.accounts.sessions import open_session
from server.resolvers.accounts.staff import create_staff
today = clock.today()
out = {}
for lang, identity, number in (("ar", "1720000098", "24-R-0720091"),
                               ("en", "1720000106", "24-R-0720092")):
    account = await Account.create(email=f"staff-workflow-{lang}@example.test",
        mobile="+966551234567", first_name="Huda", family_name="Alharbi", password_hash="x",
        status="ACTIVE", email_verified_at=dt.datetime.now(dt.UTC),
        mobile_verified_at=dt.datetime.now(dt.UTC))
    p = await Practitioner.create(account=account, identity_type="NATIONAL_ID",
        identity_number=identity, first_name_ar="هدى", father_name_ar="سعد",
        grandfather_name_ar="علي", family_name_ar="الحربي", first_name_en="Huda",
        father_name_en="Saad", grandfather_name_en="Ali", family_name_en="Alharbi",
        date_of_birth=dt.date(1988, 2, 3), gender="F", nationality="SA", category="NURSE",
        specialty="GENERAL_NURSING", rank="SPECIALIST", claimed_at=dt.datetime.now(dt.UTC))
    await Registration.create(practitioner=p, number=number, rank="SPECIALIST",
        specialty="GENERAL_NURSING", valid_from=today - dt.timedelta(days=1000),
        valid_until=dt.date(2031, 7, 1 if lang == "ar" else 2))
    submitted = await lifecycle.create("CPD_RECOGNITION", account, p, status="SUBMITTED",
        data={"title": "ACLS"})
    out[lang] = str(submitted.id)
    supervisor, _ = await create_staff(f"staff-workflow-sup-{lang}@example.test", "supervisor",
        "quiet meadow lantern 9")
    admin, _ = await create_staff(f"staff-workflow-admin-{lang}@example.test", "admin",
        "quiet meadow lantern 9")
    out[f"supervisor-{lang}"] = await open_session(supervisor)
    out[f"admin-{lang}"] = await open_session(admin)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def seeded(base_url):
    return seeded_sessions(base_url, SEED)


WORDS = {
    "ar": {"note": "أُضيفت الملاحظة", "assigned": "حُفظ الإسناد", "add": "إضافة الملاحظة",
           "save": "حفظ الإسناد", "see": "عرض التسجيلات المشمولة",
           "ask": "طلب اعتماد مشرف ثانٍ", "own": "أنت من قدّم هذا الطلب",
           "team": "الفريق", "csv": "تنزيل القائمة كاملة", "months": "عدد الأشهر"},
    "en": {"note": "Note added", "assigned": "Assignment saved", "add": "Add the note",
           "save": "Save the assignment", "see": "See which registrations",
           "ask": "Ask a second admin to approve it", "own": "You asked for this yourself",
           "team": "Team", "csv": "Download the whole list", "months": "Months to add"},
}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_supervisor_notes_and_assigns_a_case(new_page, base_url, seeded, lang):
    words = WORDS[lang]
    page = open_as(new_page, base_url, seeded, seeded[f"supervisor-{lang}"], lang)
    page.goto(f"/review/{seeded[lang]}/workflow")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert_accessible(page)
    page.fill("#field-body",
              "Call the training centre" if lang == "en" else "تواصل مع مركز التدريب")
    page.get_by_role("button", name=words["add"]).click()
    page.wait_for_url("**done=note")
    assert words["note"] in page.content()
    assert ("Call the training centre" if lang == "en" else "تواصل مع مركز التدريب") in \
        page.locator(".note-list").inner_text()
    page.get_by_label(words["team"]).fill("Nursing" if lang == "en" else "التمريض")
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url("**done=assigned")
    assert words["assigned"] in page.content()
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_an_admin_previews_a_mass_extension_and_cannot_approve_it_alone(
        new_page, base_url, seeded, lang):
    words = WORDS[lang]
    page = open_as(new_page, base_url, seeded, seeded[f"admin-{lang}"], lang)
    page.goto("/admin/extend")
    day = 1 if lang == "ar" else 2
    for name, value in (("expiringFrom-day", str(day)), ("expiringFrom-month", "7"),
                        ("expiringFrom-year", "2031"), ("expiringTo-day", str(day)),
                        ("expiringTo-month", "7"), ("expiringTo-year", "2031"),
                        ("months", "3")):
        page.fill(f'input[name="{name}"]', value)
    page.get_by_role("button", name=words["see"]).click()
    page.get_by_role("link", name=words["csv"]).wait_for()
    number = "24-R-0720091" if lang == "ar" else "24-R-0720092"
    assert number in page.locator("table").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name=words["ask"]).click()
    page.wait_for_url("**/admin/approvals/*")
    assert words["own"] in page.content()
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_review_queue_is_cards_on_a_phone(new_page, base_url, seeded, lang):
    page = open_as(new_page, base_url, seeded, seeded[f"supervisor-{lang}"], lang, 390)
    page.goto("/review")
    assert_fits(page, 390)
    row = page.locator("table.table--stack tbody tr").first
    assert row.evaluate("e => getComputedStyle(e).display") == "block"
    assert_accessible(page)
    page.screenshot(path=f"/tmp/shots-staff-workflow/review-queue-{lang}-390.png",
                    full_page=True)
