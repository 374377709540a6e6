"""Keeps the catalogues complete: `python -m server.i18n_catalogue update` adds every new
string of the templates and the code to web/translations/*/LC_MESSAGES/messages.po (the
English msgstr filled with the msgid, the Arabic left empty to translate);
`check` lists what is still untranslated. The test suite runs `check`."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from server.config import ROOT
from server.i18n import LANGUAGES, TRANSLATIONS_DIR

KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
METHODS = [
    ("server/**.py", "python"),
    ("web/templates/**.html", "jinja2"),
    ("web/templates/**.txt", "jinja2"),
]
OPTIONS = {"web/templates/**": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def extract() -> dict[str, str]:
    """msgid → where it was first found."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS,
        strip_comment_tags=True,
    ):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def catalogues(lang: str) -> list[tuple[Path, Catalog]]:
    result = []
    for path in sorted((TRANSLATIONS_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as f:
            result.append((path, read_po(f, locale=lang)))
    return result


def translated(lang: str) -> set[str]:
    done = set()
    for _, catalog in catalogues(lang):
        for message in catalog:
            if message.id and (message.string if isinstance(message.string, str)
                               else all(message.string)):
                done.add(message.id if isinstance(message.id, str) else message.id[0])
    return done


def missing() -> dict[str, list[str]]:
    strings = extract()
    return {lang: sorted(f"{msgid!r} ({where})" for msgid, where in strings.items()
                         if msgid not in translated(lang)) for lang in LANGUAGES}


def update(into: str = "messages") -> None:
    """New strings go into `<into>.po`: each area of the product may keep its own file."""
    strings = extract()
    for lang in LANGUAGES:
        known = {m.id for _, c in catalogues(lang) for m in c if m.id}
        path = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{into}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="Sijil", charset="utf-8")
        added = 0
        for msgid, where in strings.items():
            if msgid not in known:
                catalog.add(msgid, msgid if lang == "en" else "",
                            locations=[(where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]))])
                added += 1
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, sort_output=False)
        print(f"{lang}: {added} new string(s) in {path.relative_to(ROOT)}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update(sys.argv[2] if len(sys.argv) > 2 else "messages")
    todo = missing()
    for lang, items in todo.items():
        for item in items:
            print(f"untranslated [{lang}]: {item}")
    sys.exit(1 if any(todo.values()) and command == "check" else 0)
