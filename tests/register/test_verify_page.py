"""/verify searches by name or number through the SearchRegisterPage operation: results in
both languages with their filters and pages, never indexed by search engines."""

from __future__ import annotations

import re

from tests.register.helpers import registered

HTML = {"accept": "text/html"}
EN = {**HTML, "accept-language": "en"}


async def test_a_name_lists_the_practitioners_with_both_names_and_their_details(client):
    person = await registered(father_ar="عبد الله", father_en="Abdullah")
    await registered("سارة", "الحربي", "Sara", "Al-Harbi", category="NURSE",
                     specialty="NURSING", rank="NURSE", gender="F")
    page = await client.get("/verify", params={"q": "محمد القحطاني"}, headers=HTML)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "محمد عبد الله القحطاني" in page.text and "Mohammed Abdullah Al-Qahtani" in page.text
    assert "Sara" not in page.text
    assert "استشاري" in page.text and "ساري" in page.text  # rank and status in Arabic
    assert person.identity_number not in page.text and "1984" not in page.text
    assert page.headers["x-robots-tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page.text

    english = await client.get("/verify", params={"q": "sara alharbi"}, headers=EN)
    assert "Sara Saad Al-Harbi" in english.text and "سارة سعد الحربي" in english.text
    assert "Nurse" in english.text and "Mohammed" not in english.text


async def test_the_form_alone_is_indexable_and_a_number_still_opens_its_entry(client):
    await registered(number="25-R-0004321")
    form = await client.get("/verify", headers=EN)
    assert "x-robots-tag" not in form.headers and 'name="robots"' not in form.text
    assert 'name="q"' in form.text and 'name="status"' in form.text
    found = await client.get("/verify", params={"q": "25-r-0004321"}, headers=EN)
    assert "Open this entry of the public register" in found.text
    assert found.headers["x-robots-tag"].startswith("noindex")


async def test_filters_narrow_the_results_and_unknown_filter_values_are_ignored(client):
    await registered(first_en="Yousef", number="25-R-0000001")
    await registered(first_en="Yusuf", number="25-R-0000002", suspended=True)
    both = await client.get("/verify", params={"q": "Youssef", "status": "bogus"}, headers=EN)
    assert "25-R-0000001" in both.text and "25-R-0000002" in both.text
    suspended = await client.get("/verify", params={"q": "Youssef", "status": "SUSPENDED"},
                                 headers=EN)
    assert "25-R-0000001" not in suspended.text and "25-R-0000002" in suspended.text
    assert '<option value="SUSPENDED" selected>' in suspended.text
    nurses = await client.get("/verify", params={"q": "Youssef", "category": "NURSE"},
                              headers=EN)
    assert "No practitioner matches this search" in nurses.text


async def test_results_come_twenty_a_page_with_a_link_to_the_next(client):
    for _ in range(23):
        await registered()
    first = await client.get("/verify", params={"q": "Mohammed", "status": "ACTIVE"},
                             headers=EN)
    assert first.text.count('class="register-result"') == 20
    [next_url] = re.findall(r'href="(/verify\?[^"]*after=[^"]*)" rel="next"', first.text)
    assert "status=ACTIVE" in next_url
    second = await client.get(next_url.replace("&amp;", "&"), headers=EN)
    assert second.text.count('class="register-result"') == 3
    assert 'rel="next"' not in second.text and 'rel="prev"' in second.text


async def test_too_short_a_query_is_explained_in_the_users_language(client):
    short = await client.get("/verify", params={"q": "مح"}, headers=HTML)
    assert short.status_code == 422
    assert "اكتب 3 أحرف على الأقل" in short.text
    english = await client.get("/verify", params={"q": "ab"}, headers=EN)
    assert "Type at least 3 letters of a name" in english.text


async def test_htmx_swaps_only_the_results(client):
    await registered()
    fragment = await client.get("/verify", params={"q": "Mohammed"},
                                headers={**EN, "hx-request": "true"})
    assert "<form" not in fragment.text and 'class="register-result"' in fragment.text
