"""Screenshots of pages in Arabic and English, on a phone and a desktop, for review:
`python -m tests.browser.screenshots` (or `make screenshots`) writes
docs/screenshots/<page>-<lang>-<width>.png. Add your page to PAGES."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from server.config import ROOT
from server.i18n import LANG_COOKIE
from tests.browser.app_server import launch_options, running_app

OUT = ROOT / "docs" / "screenshots"


@dataclass(frozen=True)
class Shot:
    """A page to photograph. `prepare(page)` runs first in a fresh browser context whose
    base URL is the app's (sign in, fill a form…); then `path` is opened."""

    path: str
    prepare: Callable[[Page], None] | None = None


# name → Shot; the file is docs/screenshots/<name>-<lang>-<width>.png.
PAGES: dict[str, Shot] = {
    "home": Shot("/"),
    "gallery": Shot("/dev/components"),
    "404": Shot("/no-such-page"),
    "mailbox": Shot("/dev/mailbox"),
}
LANGUAGES = ("ar", "en")
VIEWPORTS = ((390, 844), (1280, 800))
COLOURS = 128  # a palette keeps the PNGs small; the UI has few colours


def shoot(browser, base_url: str, name: str, shot: Shot, lang: str, width: int,
          height: int) -> int:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                  locale="ar-SA" if lang == "ar" else "en-GB")
    context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base_url}])
    page = context.new_page()
    if shot.prepare:
        shot.prepare(page)
    page.goto(shot.path, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    png = page.screenshot(full_page=True, type="png")
    context.close()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(COLOURS, dither=Image.Dither.NONE)
    target = OUT / f"{name}-{lang}-{width}.png"
    image.save(target, optimize=True)
    return target.stat().st_size


def main(names: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    unknown = [n for n in names if n not in PAGES]
    if unknown:
        print(f"unknown page(s): {', '.join(unknown)}; known: {', '.join(PAGES)}",
              file=sys.stderr)
        return 2
    total = 0
    with running_app() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        for name in names or PAGES:
            for lang in LANGUAGES:
                for width, height in VIEWPORTS:
                    size = shoot(browser, base_url, name, PAGES[name], lang, width, height)
                    total += size
                    print(f"{name}-{lang}-{width}.png  {size // 1024} KiB")
        browser.close()
    print(f"{total / 1024 / 1024:.1f} MiB in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
