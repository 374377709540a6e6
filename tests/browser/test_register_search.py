"""/verify searched by name in Chromium: in Arabic with JavaScript (htmx swaps the results
in and the address follows), and in English with JavaScript off (a plain GET form, filters
and the next page as links)."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_accessible
from tests.browser.journeys import seed

pytestmark = pytest.mark.browser

SEED = """
import datetime as dt
from server.models.practitioners import Practitioner, Registration
today = dt.date.today()
for i in range(23):
    p = await Practitioner.create(identity_type="PASSPORT", identity_number=f"S9{i:06d}",
        first_name_ar="محمد", father_name_ar="عبد الله", grandfather_name_ar="",
        family_name_ar="الشهري", first_name_en="Mohammed", father_name_en="Abdullah",
        grandfather_name_en="", family_name_en="Al-Shehri", date_of_birth=dt.date(1980, 1, 1),
        gender="M", nationality="SA", category="PHYSICIAN", specialty="CARDIOLOGY",
        rank="CONSULTANT")
    await Registration.create(practitioner=p, number=f"19-R-{9000 + i:07d}", rank="CONSULTANT",
        specialty="CARDIOLOGY", valid_from=today - dt.timedelta(days=300),
        valid_until=today + dt.timedelta(days=(-5 if i == 22 else 400)))
"""


@pytest.fixture(scope="module")
def seeded(base_url):
    seed(base_url, SEED)
    return base_url


def test_searching_a_name_in_arabic_swaps_the_results_in(seeded, new_page):
    page = new_page(width=390, height=844)
    page.goto("/verify")
    page.fill("#field-q", "مُحمّد الشهرى")  # diacritics and ى for ي: the same name
    page.press("#field-q", "Enter")
    page.wait_for_selector(".register-result")
    assert re.search(r"/verify\?q=", page.url)
    assert page.locator("html").get_attribute("dir") == "rtl"
    first = page.locator(".register-result").first
    assert "محمد عبد الله الشهري" in first.inner_text()
    assert "Mohammed Abdullah Al-Shehri" in first.inner_text()
    assert page.locator(".register-result").count() == 20
    assert_accessible(page)


def test_without_javascript_in_english_filters_and_pages_work(seeded, new_page):
    page = new_page(javascript=False, locale="en-GB")
    page.goto("/verify")
    assert page.locator("html").get_attribute("lang") == "en"
    page.fill("#field-q", "Muhammad Alshehri")
    page.select_option("#field-status", "ACTIVE")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector(".register-result")
    assert "status=ACTIVE" in page.url
    assert page.locator(".register-result").count() == 20
    assert page.get_attribute('meta[name="robots"]', "content") == "noindex, nofollow"
    page.click("a[rel=next]")
    page.wait_for_selector(".register-result")
    # 22 active of the 23 seeded (one expired): the second page holds the last 2.
    assert page.locator(".register-result").count() == 2
    assert "Mohammed Abdullah Al-Shehri" in page.locator(".register-result").first.inner_text()
    assert page.locator("a[rel=prev]").count() == 1
    page.fill("#field-q", "Mo")
    page.click("form[role=search] button[type=submit]")
    assert "at least 3 letters" in page.locator("#verify-result .banner").inner_text()
    # (axe-core needs JavaScript: the page's accessibility is checked in the test above.)
