"""Helpers for browser tests of any page.

    from tests.browser.helpers import assert_accessible, switch_language
    pytestmark = pytest.mark.browser

    def test_login_page_is_accessible(new_page):
        page = new_page(width=390)
        page.goto("/login")
        assert_accessible(page)
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def axe_source() -> str:
    return AXE.read_text()


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict]:
    """axe-core's violations of WCAG 2.2 A and AA on the page as it is now.

    Our CSP forbids inline scripts, so axe is evaluated through DevTools, not a <script>."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": tags or WCAG_TAGS}}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t
                              for t in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page: Page, tags: list[str] | None = None) -> None:
    """Fails with a readable list when axe-core finds any WCAG 2.2 AA violation."""
    violations = axe_violations(page, tags)
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {page.url}:\n{describe(violations)}")


def switch_language(page: Page) -> None:
    """Presses the language button in the header (a real form POST) and waits for the page."""
    button = page.locator("header form[action='/language'] button")
    with page.expect_navigation():
        button.click()


def page_language(page: Page) -> tuple[str, str]:
    """(lang, dir) of the document, e.g. ("ar", "rtl")."""
    lang, direction = page.evaluate("[document.documentElement.lang, document.dir]")
    return lang, direction


def assert_fits(page, width: int) -> None:
    """Nothing sticks out sideways (WCAG 1.4.10 reflow); wide tables scroll inside their own
    region (.table-wrap)."""
    wider = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
              .filter(el => !el.closest('.table-wrap, .visually-hidden, .skip-link'))
              .filter(el => !el.closest('details:not([open]) > :not(summary)'))
              .filter(el => el.getBoundingClientRect().left < -1
                         || el.getBoundingClientRect().right > innerWidth + 1)
              .map(el => el.outerHTML.slice(0, 120))""")
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0 and not wider, f"sticks out at {width}px by {overflow}px: {wider[:5]}"


def sign_out(page: Page) -> None:
    """The header's Sign out: on a phone it is inside the Menu disclosure, opened first."""
    button = page.locator("header form[action='/logout'] button")
    if not button.is_visible():
        page.click("header summary.site-menu__toggle")
    button.click()
