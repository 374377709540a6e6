"""The design system in a real browser: WCAG 2.2 AA by axe-core on the home page, the
component gallery and the 404 page in both languages and at phone and desktop widths;
keyboard use; the skip link; no JavaScript; right to left in Arabic."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    assert_accessible,
    assert_fits,
    page_language,
    switch_language,
)

pytestmark = pytest.mark.browser

PAGES = {"home": "/", "gallery": "/dev/components", "not-found": "/no-such-page"}
LIVE_FORM_CONTROLS = [
    "field-full_name", "field-email", "field-mobile", "field-profession",
    "field-registration_type", "field-birth_date", "field-birth_date-month",
    "field-birth_date-year", "field-certificate", "field-consent",
]


def open_in(new_page, path: str, lang: str, width: int = 1280, height: int = 800):
    page = new_page(width=width, height=height)
    page.goto(path)
    if lang == "en":
        switch_language(page)
    assert page_language(page)[0] == lang
    return page


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_wcag_violations(new_page, name, lang, width):
    page = open_in(new_page, PAGES[name], lang, width=width, height=844 if width < 800 else 800)
    assert_accessible(page)


# 320 px is the narrowest phone; 640 px is a 1280 px screen at 200% zoom (WCAG 1.4.4, 1.4.10).
@pytest.mark.parametrize("width", [320, 640])
@pytest.mark.parametrize("name", list(PAGES))
def test_nothing_is_wider_than_the_screen(new_page, name, width):
    page = open_in(new_page, PAGES[name], "ar", width=width, height=640)
    assert_fits(page, width)


def test_arabic_pages_are_right_to_left_and_english_left_to_right(new_page):
    page = open_in(new_page, PAGES["gallery"], "ar")
    assert page_language(page) == ("ar", "rtl")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Noto Sans Arabic"'), font
    switch_language(page)
    assert page_language(page) == ("en", "ltr")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Noto Sans"'), font


def text_edges(page, selector: str) -> dict:
    """Where the element's text starts and ends, and its parent's content box."""
    return page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector);
          const range = document.createRange();
          range.selectNodeContents(el);
          const text = range.getBoundingClientRect();
          const box = el.parentElement.getBoundingClientRect();
          const style = getComputedStyle(el.parentElement);
          const px = (name) => parseFloat(style[name]);
          const left = box.left + px("paddingLeft") + px("borderLeftWidth");
          const right = box.right - px("paddingRight") - px("borderRightWidth");
          return {textLeft: text.left, textRight: text.right, boxLeft: left, boxRight: right};
        }""",
        selector,
    )


def test_error_summary_and_labels_are_right_aligned_in_arabic(new_page):
    page = open_in(new_page, PAGES["gallery"], "ar", width=1280)
    page.locator("#live-form button[type=submit]").first.click()
    page.locator("#live-form [data-error-summary]").wait_for()
    for selector in ("#live-form .error-summary__title", "#live-form label[for=field-full_name]",
                     "#live-form .error-message", "#live-form legend"):
        edges = text_edges(page, selector)
        assert abs(edges["textRight"] - edges["boxRight"]) <= 2, (selector, edges)
        assert edges["textLeft"] > edges["boxLeft"] + 20, (selector, edges)


def test_submitting_the_form_with_htmx_focuses_the_error_summary(new_page):
    page = open_in(new_page, PAGES["gallery"], "en")
    page.locator("#live-form button[type=submit]").first.click()
    summary = page.locator("#live-form [data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link", name="Enter your full name.").click()
    assert page.evaluate("document.activeElement.id") == "field-full_name"


@pytest.mark.parametrize(("lang", "answer", "expected"), [
    ("en", {"status": 413}, "too large"),
    ("en", {"status": 500}, "nothing was saved"),
    ("en", None, "connection was lost"),
    ("ar", {"status": 413}, "كبير"),
])
def test_a_failed_htmx_request_says_so_and_keeps_the_form(new_page, lang, answer, expected):
    """A 413 (say, a proxy's limit), a 500 or a lost connection swaps nothing; the page
    says what happened, in its language, and what was typed stays."""
    page = open_in(new_page, PAGES["gallery"], lang)
    banner = page.locator("#request-failed")
    assert banner.is_hidden()
    page.fill("#field-full_name", "سارة الحربي")

    def refuse(route):
        if route.request.method != "POST":
            return route.continue_()
        return route.fulfill(**answer, body="x") if answer else route.abort("internetdisconnected")

    page.route("**/dev/components", refuse)
    page.locator("#live-form button[type=submit]").first.click()
    banner.wait_for(state="visible")
    assert expected in banner.inner_text()
    assert page.evaluate("document.activeElement.id") == "request-failed"
    assert page.input_value("#field-full_name") == "سارة الحربي"
    # The next attempt clears it.
    page.unroute("**/dev/components")
    page.locator("#live-form button[type=submit]").first.click()
    banner.wait_for(state="hidden")


def test_a_successful_swap_moves_the_focus_to_the_news_and_announces_it(new_page):
    page = open_in(new_page, PAGES["gallery"], "en")
    page.fill("#field-full_name", "Sara Alqahtani")
    page.fill("#field-email", "sara@example.com")
    page.select_option("#field-profession", "nurse")
    page.check("#field-registration_type")
    page.check("#field-consent")
    page.locator("#live-form button[type=submit]").first.click()
    news = page.locator("#live-form [data-focus-after-swap]")
    news.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-focus-after-swap')")
    assert "Everything you entered is valid" in page.locator("#live").inner_text()


def focus_ring(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {id: el.id, tag: el.tagName, style: style.outlineStyle,
                  width: parseFloat(style.outlineWidth), color: style.outlineColor};
        }"""
    )


def test_keyboard_reaches_every_form_control_in_order_with_a_visible_focus(new_page):
    page = open_in(new_page, PAGES["gallery"], "ar")
    page.locator("body").click(position={"x": 5, "y": 5})
    reached: list[str] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        ring = focus_ring(page)
        assert ring["tag"] != "BODY", f"focus was lost after {reached[-3:]}"
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert ring["color"] not in ("rgba(0, 0, 0, 0)", "transparent"), ring
        reached.append(ring["id"] or ring["tag"])
        if ring["id"] == LIVE_FORM_CONTROLS[-1]:
            break
    in_form = [element for element in reached if element in LIVE_FORM_CONTROLS]
    assert in_form == LIVE_FORM_CONTROLS


def test_keyboard_alone_reaches_everything_on_the_gallery_with_a_visible_focus(new_page):
    """Every link, button, field, radio group and scrollable region of the component
    gallery, one Tab after another, each with a visible focus ring."""
    page = open_in(new_page, PAGES["gallery"], "en")
    expected = page.evaluate("""() => {
      const all = [...document.querySelectorAll(
        'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), '
        + 'select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])')]
        .filter(el => el.getClientRects().length > 0 && !el.closest('[hidden]'))
        // A radio group is one Tab stop.
        .filter(el => el.type !== 'radio'
                || document.querySelector(`input[type=radio][name="${el.name}"]`) === el);
      all.forEach((el, i) => el.setAttribute('data-tab-stop', String(i)));
      return all.length;
    }""")
    assert expected > 20
    page.locator("body").click(position={"x": 5, "y": 5})
    reached: set[str] = set()
    for _ in range(expected + 15):
        page.keyboard.press("Tab")
        stop = page.evaluate("document.activeElement.getAttribute('data-tab-stop')")
        if stop is None:
            continue  # e.g. the skip link's target, or the browser's own UI
        ring = focus_ring(page)
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        reached.add(stop)
        if len(reached) == expected:
            break
    missing = sorted(set(map(str, range(expected))) - reached, key=int)
    assert not missing, page.evaluate(
        "(ids) => ids.map(i => document.querySelector(`[data-tab-stop='${i}']`)"
        ".outerHTML.slice(0, 100))", missing)


def test_skip_link_is_first_and_moves_focus_to_the_main_content(new_page):
    page = open_in(new_page, PAGES["home"], "ar", width=390, height=844)
    page.keyboard.press("Tab")
    skip = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert skip[0] == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_language_switch_works_without_javascript(new_page):
    page = new_page(width=390, height=844, javascript=False)
    page.goto(PAGES["gallery"])
    assert page_language(page) == ("ar", "rtl")
    switch_language(page)
    assert page_language(page) == ("en", "ltr")
    assert page.url.endswith(PAGES["gallery"])
    switch_language(page)
    assert page_language(page) == ("ar", "rtl")


def test_the_form_reports_errors_without_javascript(new_page):
    page = new_page(width=390, height=844, javascript=False)
    page.goto(PAGES["gallery"])
    switch_language(page)
    with page.expect_navigation():
        page.locator("#live-form button[type=submit]").first.click()
    assert page.locator("#live-form [data-error-summary]").is_visible()
    assert page.locator("#field-full_name[aria-invalid=true]").count() == 1
    assert page.input_value("#field-birth_date") == "23", "what was typed is shown again"
