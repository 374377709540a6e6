"""The practitioner's record in Chromium, in Arabic on a phone: an imported practitioner
claims the record, keeps it current with documents, submits a CPD activity and a
personal-data change, and sees it all on the dashboard."""

import re

import pytest

from tests.browser.helpers import assert_accessible
from tests.browser.test_renewal_journey import (
    Practitioner,
    claim_record,
    pdf_file,
    seed_record,
    sign_up_and_in,
)

pytestmark = pytest.mark.browser

LAYLA = Practitioner("record.journey@example.com", "0551239878", "1000000032", "24-R-0007790")


def test_claim_keep_current_submit_cpd_and_a_change_in_arabic(new_page, base_url, tmp_path):
    seed_record(base_url, LAYLA)
    page = new_page(width=390, height=844)
    sign_up_and_in(page, base_url, LAYLA)
    claim_record(page, LAYLA)

    page.goto("/record")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "0032" in page.inner_text("main") and "1000000032" not in page.inner_text("main")
    experience = page.locator("#experience")
    experience.locator("summary").click()
    form = experience.locator("form").last
    form.locator("[name=workplace]").fill("مستشفى الملك فيصل التخصصي")
    form.locator("[name=specialty]").fill("الباطنة")
    form.locator("[name=city]").fill("الرياض")
    form.locator("[name=organizationType]").select_option("GOVERNMENT")
    form.locator("[name=startDate-day]").fill("1")
    form.locator("[name=startDate-month]").fill("9")
    form.locator("[name=startDate-year]").fill("2016")
    form.locator("[name=certificate]").set_input_files(pdf_file(tmp_path, "خبرة.pdf"))
    form.locator("button[type=submit]").click()
    page.locator("#experience .entry__title").first.wait_for()
    assert "مستشفى الملك فيصل التخصصي" in page.locator("#experience").inner_text()
    assert_accessible(page)

    page.goto("/record/cpd")
    page.fill("#field-title", "الإنعاش القلبي المتقدم")
    page.fill("#field-provider", "الجمعية السعودية للقلب")
    page.select_option("#field-activityType", "COURSE")
    page.fill("#field-hours", "8")
    page.fill("#field-completedOn", "1")
    page.fill("#field-completedOn-month", "10")
    page.fill("#field-completedOn-year", "2025")
    page.set_input_files("#field-certificate", pdf_file(tmp_path, "acls.pdf"))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/applications/[0-9a-f-]+\?new=1"))

    page.goto("/record/change")
    page.fill("#field-registrationNumber", LAYLA.number)
    page.fill("#field-familyNameEn", "Al-Shehri")
    page.set_input_files("#field-evidence", pdf_file(tmp_path, "passport.pdf"))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/applications/[0-9a-f-]+\?new=1"))
    assert_accessible(page)

    page.goto("/")
    applications = page.locator("#applications-title").locator("xpath=..").inner_text()
    assert "احتساب ساعات التعليم المهني المستمر" in applications
    assert "تعديل بياناتي الشخصية" in applications
    page.goto("/record/history")
    assert page.locator(".timeline__item").count() >= 3  # claimed, experience, CPD
