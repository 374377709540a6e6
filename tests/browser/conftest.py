"""Browser fixtures: one real server and one headless Chromium per session, a fresh context
(cookies, viewport) per test. Sync Playwright: run these apart from the asyncio suite,
`pytest -m browser -p no:asyncio`."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.app_server import launch_options, running_app


@pytest.fixture(scope="session")
def base_url():
    # localhost, not 127.0.0.1: passkeys need a relying party that is a name, not an address.
    with running_app(host="localhost") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    options = launch_options()  # fails, never skips, without /usr/bin/chromium
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**options)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, base_url):
    """`new_page(width=390, height=844, javascript=True)` → a page in a fresh context, as
    a browser in Saudi Arabia (Accept-Language ar-SA) opens it."""
    contexts = []

    def make(width: int = 1280, height: int = 800, javascript: bool = True,
             locale: str = "ar-SA"):
        context = browser.new_context(base_url=base_url, java_script_enabled=javascript,
                                      locale=locale, viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
