"""PDF documents: the registration card (A6 landscape, Arabic and English side by side,
with a QR code that opens the public register entry and carries the signed credential).

fpdf2 shapes Arabic through HarfBuzz (uharfbuzz): each run is written with the shaping
direction of its language, Arabic right-aligned in the right column, English left-aligned
in the left one, as on the Kingdom's bilingual cards. Numbers and dates inside Arabic text
are wrapped in LRI … PDI isolates, or the bidi algorithm shows "12-R-0004321" as
"R-0004321-12".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF

from server.domain import codes
from server.i18n import N_, gettext, hijri

FONTS = Path(__file__).parent / "pdf_fonts"
LRI, PDI = "\u2066", "\u2069"

# Millimetres. A6 landscape: big enough to read at arm's length and to scan the QR code
# from a phone screen, small enough to print on A4 and keep.
WIDTH, HEIGHT = 148.0, 105.0
MARGIN = 8.0
HEADER_H = 19.0
TITLE_H = 7.0
FOOTER_Y = 96.0
# The credential makes the QR code long (~730 characters, version 19 at error level L,
# 93 modules): 34 mm keeps a module at ~0.37 mm, which a phone reads from print. Level L
# because a card is kept clean and flat, and M would mean 105 modules.
QR_SIZE = 34.0
QR_ERROR = "l"
QR_X, QR_Y = (WIDTH - QR_SIZE) / 2, HEADER_H + TITLE_H + 4.0
COLUMN_W = (WIDTH - 2 * MARGIN - QR_SIZE - 8.0) / 2  # two text columns around the QR

BRAND = (0, 105, 92)
BRAND_DARK = (11, 79, 71)
TINT = (230, 242, 239)
TEXT = (26, 31, 30)
MUTED = (84, 94, 91)
WHITE = (255, 255, 255)

# Card captions: translated through the catalogues (web/translations/*/public.po), and
# always printed in both languages whatever the reader's choice.
BRAND_NAME = N_("Sijil")
REGISTER = N_("Health practitioners' register")
CARD_TITLE = N_("Professional registration card")
CAPTIONS = {
    "name": N_("Name"),
    "category": N_("Category"),
    "specialty": N_("Specialty"),
    "rank": N_("Rank"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
}
NUMBER_CAPTION = N_("Registration number")
SCAN_HINT = N_("Scan to check this registration in the public register.")


def verify_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}"


def credential_url(base_url: str, number: str, credential: str | None) -> str:
    """What the QR code holds: the register page, and after `#` the signed credential (a
    fragment never reaches a server; the page's script and offline verifiers read it)."""
    page = verify_url(base_url, number)
    return f"{page}#{credential}" if credential else page


def registration_card(data: dict[str, Any], base_url: str,
                      credential: str | None = None) -> bytes:
    """The card as PDF bytes. `data`: registration_number, full_name_ar, full_name_en,
    category, specialty, rank (codes), valid_from, valid_until (dates) — the shape of
    `server.resolvers.registry.PublicEntry`. CPU-bound (~0.2 s, mostly font parsing and
    subsetting): call it in a worker thread."""
    number = data["registration_number"]
    pdf = _new_document(number)
    _header(pdf)
    _columns(pdf, _values(data, "en"), _values(data, "ar"))
    _qr_block(pdf, number, credential_url(base_url, number, credential))
    _footer(pdf, verify_url(base_url, number))
    return bytes(pdf.output())


# ------------------------------------------------------------------ content

def _t(lang: str, msgid: str) -> str:
    # Not `gettext(...)` itself: the catalogue extractor would take the language literal
    # for a message. The msgids are marked with N_ above.
    return gettext(lang, msgid)


def _isolate(text: str) -> str:
    return f"{LRI}{text}{PDI}"


def _date(value: dt.date, lang: str) -> str:
    """Gregorian, then the Umm al-Qura date; in Arabic each number kept in one piece."""
    h = hijri(value)
    if lang == "ar":
        return f"{_isolate(value.isoformat())} م" + (f"  ·  {_isolate(h)} هـ" if h else "")
    return value.isoformat() + (f"  ·  {h} AH" if h else "")


def _values(data: dict[str, Any], lang: str) -> list[tuple[str, str, bool]]:
    """(caption, value, emphasised) rows of one language's column."""
    def label(kind: str) -> str:
        # An imported record may carry a code the lists no longer have: print the code.
        return codes.label(kind, data[kind], lang) or data[kind]

    return [
        (_t(lang, CAPTIONS["name"]), data[f"full_name_{lang}"], True),
        (_t(lang, CAPTIONS["category"]), label("category"), False),
        (_t(lang, CAPTIONS["specialty"]), label("specialty"), False),
        (_t(lang, CAPTIONS["rank"]), label("rank"), False),
        (_t(lang, CAPTIONS["valid_from"]), _date(data["valid_from"], lang), False),
        (_t(lang, CAPTIONS["valid_until"]), _date(data["valid_until"], lang), True),
    ]


# ------------------------------------------------------------------ drawing

def _new_document(number: str) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format=(HEIGHT, WIDTH))
    for family, file in (("NotoSansArabic", "NotoSansArabic"), ("NotoSans", "NotoSans")):
        pdf.add_font(family, "", FONTS / f"{file}-Regular.ttf")
        pdf.add_font(family, "B", FONTS / f"{file}-Bold.ttf")
    # Noto Sans Arabic has no Latin letters: a Latin name or code inside Arabic text is
    # drawn with Noto Sans instead of a blank box.
    pdf.set_fallback_fonts(["NotoSans"], exact_match=False)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(f"Sijil registration card {number}")
    pdf.set_author("Sijil")
    pdf.set_creator("Sijil")
    pdf.set_lang("ar")
    pdf.add_page()
    return pdf


def _font(pdf: FPDF, lang: str, size: float, bold: bool = False) -> None:
    style = "B" if bold else ""
    if lang == "ar":
        pdf.set_font("NotoSansArabic", style, size)
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab",
                             language="ara")
    else:
        pdf.set_font("NotoSans", style, size)
        pdf.set_text_shaping(use_shaping_engine=True, direction="ltr", script="latn",
                             language="eng")


def _text(pdf: FPDF, lang: str, x: float, y: float, w: float, text: str, size: float, *,
          bold: bool = False, color: tuple[int, int, int] = TEXT, align: str | None = None,
          max_lines: int = 1) -> float:
    """One run of text in a box `w` wide, aligned to its language's side (or `align`);
    wraps up to `max_lines`, shrinking the type if it still does not fit. Returns the
    height used."""
    _font(pdf, lang, size, bold)
    align = align or ("R" if lang == "ar" else "L")
    line_h = size * 0.3528 * 1.45  # points → mm, with leading
    while size > 5 and len(pdf.multi_cell(w, line_h, text, dry_run=True, output="LINES")) \
            > max_lines:
        size -= 0.5
        line_h = size * 0.3528 * 1.45
        _font(pdf, lang, size, bold)
    pdf.set_text_color(*color)
    pdf.set_xy(x, y)
    pdf.multi_cell(w, line_h, text, align=align, new_x="LEFT", new_y="NEXT",
                   max_line_height=line_h)
    return pdf.get_y() - y


def _header(pdf: FPDF) -> None:
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, WIDTH, HEADER_H, style="F")
    inner = WIDTH - 2 * MARGIN
    _text(pdf, "en", MARGIN, 3.2, inner / 2, _t("en", BRAND_NAME), 15, bold=True, color=WHITE)
    _text(pdf, "en", MARGIN, 11.2, inner / 2, _t("en", REGISTER), 7.5, color=TINT)
    _text(pdf, "ar", WIDTH / 2, 1.8, inner / 2, _t("ar", BRAND_NAME), 17, bold=True,
          color=WHITE)
    _text(pdf, "ar", WIDTH / 2, 10.6, inner / 2, _t("ar", REGISTER), 8, color=TINT)

    pdf.set_fill_color(*TINT)
    pdf.rect(0, HEADER_H, WIDTH, TITLE_H, style="F")
    _text(pdf, "en", MARGIN, HEADER_H + 1.3, inner / 2, _t("en", CARD_TITLE), 7.5,
          bold=True, color=BRAND_DARK)
    _text(pdf, "ar", WIDTH / 2, HEADER_H + 0.6, inner / 2, _t("ar", CARD_TITLE), 8.5,
          bold=True, color=BRAND_DARK)


def _columns(pdf: FPDF, english: list[tuple[str, str, bool]],
             arabic: list[tuple[str, str, bool]]) -> None:
    """English on the left, Arabic on the right, row by row: a long name on one side
    pushes both sides down, so each caption faces its translation."""
    left, right = MARGIN, WIDTH - MARGIN - COLUMN_W
    y = HEADER_H + TITLE_H + 3.5
    for index, ((en_caption, en_value, strong), (ar_caption, ar_value, _)) in enumerate(
            zip(english, arabic, strict=True)):
        lines = 2 if index == 0 else 1  # only a name may wrap
        y += max(_text(pdf, "en", left, y, COLUMN_W, en_caption, 6, color=MUTED),
                 _text(pdf, "ar", right, y - 0.5, COLUMN_W, ar_caption, 6.5, color=MUTED))
        y += max(_text(pdf, "en", left, y, COLUMN_W, en_value, 9.5 if strong else 8.5,
                       bold=strong, max_lines=lines),
                 _text(pdf, "ar", right, y - 0.6, COLUMN_W, ar_value, 10 if strong else 9,
                       bold=strong, max_lines=lines))
        y += 1.4


def _qr_block(pdf: FPDF, number: str, url: str) -> None:
    x, y = QR_X, QR_Y
    _qr(pdf, url, x, y, QR_SIZE, error=QR_ERROR)
    y += QR_SIZE + 2.5
    box_x, box_w = x - 4, QR_SIZE + 8
    _text(pdf, "ar", box_x, y, box_w, _t("ar", NUMBER_CAPTION), 6.5, color=MUTED,
          align="C")
    _text(pdf, "en", box_x, y + 3.6, box_w, _t("en", NUMBER_CAPTION), 6, color=MUTED,
          align="C")
    _text(pdf, "en", box_x, y + 7.4, box_w, number, 10.5, bold=True, color=BRAND_DARK,
          align="C")


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float, error: str = "m") -> None:
    """Drawn as vector squares (crisp at any print size); one rectangle per horizontal run
    of dark modules keeps the file small. The card around it is white: the quiet zone."""
    qr = segno.make(url, error=error, micro=False)
    matrix = qr.matrix
    module = size / len(matrix)
    pdf.set_fill_color(*TEXT)
    for row_index, row in enumerate(matrix):
        start = None
        for col, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                pdf.rect(x + start * module, y + row_index * module,
                         (col - start) * module, module, style="F")
                start = None


def _footer(pdf: FPDF, url: str) -> None:
    pdf.set_draw_color(*TINT)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, FOOTER_Y - 1.5, WIDTH - MARGIN, FOOTER_Y - 1.5)
    half = (WIDTH - 2 * MARGIN) / 2
    _text(pdf, "en", MARGIN, FOOTER_Y, half, _t("en", SCAN_HINT), 5.5, color=MUTED)
    _text(pdf, "en", MARGIN, FOOTER_Y + 2.9, half, url, 5.5, color=BRAND_DARK)
    _text(pdf, "ar", WIDTH / 2, FOOTER_Y - 0.4, half, _t("ar", SCAN_HINT), 6,
          color=MUTED)
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, HEIGHT - 2.0, WIDTH, 2.0, style="F")
