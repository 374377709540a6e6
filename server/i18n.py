"""Languages: Arabic (default, right-to-left) and English, through Babel catalogues.

The catalogues are the `.po` files under web/translations; they are compiled in memory at
start-up, so there is no build step and no stale `.mo` file.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from hijridate import Gregorian

from server.config import WEB_DIR
from server.domain.registry import KINGDOM_TIME
from server.domain.text import N_

LANGUAGES = ("ar", "en")
DEFAULT_LANGUAGE = "ar"
TRANSLATIONS_DIR = WEB_DIR / "translations"
LANG_COOKIE = "lang"

# First-strong isolate … pop directional isolate: keeps "12-R-0004321" or an email in one
# piece inside Arabic text.
FSI, PDI = "\u2068", "\u2069"
LRI = "\u2066"




@cache
def translations(lang: str) -> Translations:
    """All `.po` files of a language merged; each area of the product keeps its own file."""
    merged = Translations()
    for path in sorted((TRANSLATIONS_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            catalog = read_po(po, locale=lang)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        merged.merge(Translations(buffer))
    return merged


def gettext(lang: str, message: str, **values) -> str:
    text = translations(lang).gettext(message)
    return text % values if values else text


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    # Arabic is the default; an English browser that never chose still gets Arabic first,
    # as the regulator's portal does, unless it prefers English and lists no Arabic.
    prefs = [part.split(";")[0].strip().lower()[:2] for part in (accept_language or "").split(",")]
    if "en" in prefs and "ar" not in prefs:
        return "en"
    return DEFAULT_LANGUAGE


def direction(lang: str) -> str:
    return "rtl" if lang == "ar" else "ltr"


def isolate(value: object) -> str:
    """Wrap a number, code, date or address so the bidi algorithm keeps it in one run."""
    return f"{FSI}{value}{PDI}"


def ltr(value: object) -> str:
    """Left-to-right isolate, for what has no letters to set its direction: a mobile
    "+966 50 123 4567" inside FSI takes the Arabic direction and reads "4567 123 50 966+"."""
    return f"{LRI}{value}{PDI}"


@lru_cache(maxsize=8192)
def hijri(date: dt.date) -> str:
    """The Umm al-Qura date as YYYY/MM/DD, or '' outside the calendar's range. Kept per date:
    a page shows the same few dates (today, the usual expiry days) again and again."""
    try:
        h = Gregorian(date.year, date.month, date.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    return f"{h.year:04d}/{h.month:02d}/{h.day:02d}"


def kingdom_instant(value: dt.datetime | str | None) -> dt.datetime | None:
    """An instant (aware, or the ISO text GraphQL returns; naive is UTC) in the Kingdom's
    time, UTC+3: what staff pages show, never UTC."""
    if not value:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(KINGDOM_TIME)


def format_time(value: dt.datetime | str | None, lang: str) -> str:
    """'YYYY-MM-DD HH:MM' in the Kingdom's time, isolated for Arabic text."""
    found = kingdom_instant(value)
    return isolate(found.strftime("%Y-%m-%d %H:%M")) if found else ""


def format_day(value: dt.datetime | str | None, lang: str, with_hijri: bool = False) -> str:
    """The Kingdom's calendar day of an instant (not the UTC day its ISO text begins with)."""
    found = kingdom_instant(value)
    return format_date(found.date(), lang, with_hijri) if found else ""


def format_date(date: dt.date | str | None, lang: str, with_hijri: bool = True) -> str:
    """Gregorian date, with the Hijri date beside it; each isolated for Arabic text.
    Accepts the ISO strings GraphQL returns."""
    if not date:
        return ""
    if isinstance(date, str):
        date = dt.date.fromisoformat(date[:10])
    greg = date.isoformat()
    h = hijri(date) if with_hijri else ""
    suffix = gettext(lang, N_("AH"))
    if not h:
        return isolate(greg)
    return f"{isolate(greg)} ({isolate(h)} {suffix})"
