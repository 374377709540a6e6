"""Good-standing and training certificates: bilingual A4 PDFs with a QR code to the public
page that confirms the certificate is genuine and still valid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fpdf import FPDF

from server.i18n import N_
from server.integrations.pdf import (
    BRAND,
    BRAND_DARK,
    FONTS,
    MUTED,
    QR_ERROR,
    TINT,
    WHITE,
    _date,
    _isolate,
    _qr,
    _t,
    _text,
    credential_url,
)

A4_W, A4_H = 210.0, 297.0
MARGIN = 18.0
TITLES = {
    "GOOD_STANDING": N_("Good-standing certificate"),
    "TRAINING_CERTIFICATE": N_("Training certificate"),
}
GOOD_STANDING_BODY = N_(
    "This certifies that %(name)s, holder of registration number %(number)s as %(rank)s in "
    "%(specialty)s, is registered with the regulator and has no disciplinary sanction in "
    "force on the date of issue.")
TRAINING_BODY = N_(
    "This certifies that %(name)s completed the training programme \"%(programme)s\" at "
    "%(institution)s from %(start)s to %(end)s.")
CODE_CAPTION = N_("Certificate code")
ISSUED_CAPTION = N_("Issued on")
VALID_CAPTION = N_("Valid until")
# Beside the certificate's own code, when the holder's registration is active: its signed
# credential, the card's QR code (server/resolvers/register/credentials.py).
CERTIFICATE_QR = N_("This certificate")
REGISTRATION_QR = N_("The registration, signed")
QR_SIZE = 40.0
SCAN = N_("Scan the code or open the address below to check that this certificate is "
          "genuine and still valid.")


def verify_url(base_url: str, code: str) -> str:
    return f"{base_url}/verify/certificate/{code}"


def certificate_pdf(data: dict[str, Any], base_url: str, credential: str | None = None) -> bytes:
    """`data`: kind, code, issued_on, valid_until (or None), full_name_ar, full_name_en,
    and the kind's fields (number/rank/specialty labels per language, or programme…).
    `credential`: the holder's registration credential (a JWS), printed as a second QR
    code holding {base_url}/verify/{number}#{credential}."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    for family, file in (("NotoSansArabic", "NotoSansArabic"), ("NotoSans", "NotoSans")):
        pdf.add_font(family, "", FONTS / f"{file}-Regular.ttf")
        pdf.add_font(family, "B", FONTS / f"{file}-Bold.ttf")
    pdf.set_fallback_fonts(["NotoSans"], exact_match=False)
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Sijil certificate {data['code']}")
    pdf.set_author("Sijil")
    pdf.set_lang("ar")
    pdf.add_page()

    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, A4_W, 30, style="F")
    inner = A4_W - 2 * MARGIN
    _text(pdf, "en", MARGIN, 9, inner / 2, _t("en", N_("Sijil")), 20, bold=True, color=WHITE)
    _text(pdf, "ar", A4_W / 2, 7, inner / 2, _t("ar", N_("Sijil")), 22, bold=True,
          color=WHITE)

    title = TITLES[data["kind"]]
    y = 42.0
    _text(pdf, "ar", MARGIN, y, inner, _t("ar", title), 20, bold=True, color=BRAND_DARK,
          align="C")
    _text(pdf, "en", MARGIN, y + 11, inner, _t("en", title), 15, bold=True, color=BRAND_DARK,
          align="C")

    y = 74.0
    for lang in ("ar", "en"):
        used = _text(pdf, lang, MARGIN, y, inner, _body(data, lang), 12 if lang == "ar" else 11,
                     max_lines=6)
        y += used + 8

    pdf.set_draw_color(*TINT)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN, y, A4_W - MARGIN, y)
    y += 6
    rows = [(CODE_CAPTION, data["code"]), (ISSUED_CAPTION, None)]
    if data.get("valid_until"):
        rows.append((VALID_CAPTION, None))
    for caption, value in rows:
        for lang, x in (("en", MARGIN), ("ar", A4_W / 2)):
            if caption == ISSUED_CAPTION:
                value_text = _date(data["issued_on"], lang)
            elif caption == VALID_CAPTION:
                value_text = _date(data["valid_until"], lang)
            else:
                value_text = value
            _text(pdf, lang, x, y, inner / 2, f"{_t(lang, caption)}: {_isolate(value_text)}",
                  10, color=MUTED)
        y += 8

    url = verify_url(base_url, data["code"])
    if credential and data.get("number"):
        _two_codes(pdf, url, credential_url(base_url, data["number"], credential), y + 10)
        y += 64
    else:
        _qr(pdf, url, (A4_W - QR_SIZE) / 2, y + 10, QR_SIZE)
        y += 56
    _text(pdf, "ar", MARGIN, y, inner, _t("ar", SCAN), 9, color=MUTED, align="C")
    _text(pdf, "en", MARGIN, y + 7, inner, _t("en", SCAN), 8.5, color=MUTED, align="C",
          max_lines=2)
    _text(pdf, "en", MARGIN, y + 16, inner, url, 9, color=BRAND_DARK, align="C")
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, A4_H - 4, A4_W, 4, style="F")
    return bytes(pdf.output())


def _two_codes(pdf: FPDF, certificate_url: str, registration_url: str, y: float) -> None:
    """The certificate's code and the registration's, side by side, each captioned in both
    languages (Arabic first, on the right as the page reads)."""
    gap = 16.0
    for x, url, caption, error in (
            (A4_W / 2 + gap / 2, certificate_url, CERTIFICATE_QR, "m"),
            (A4_W / 2 - gap / 2 - QR_SIZE, registration_url, REGISTRATION_QR, QR_ERROR)):
        _qr(pdf, url, x, y, QR_SIZE, error=error)
        _text(pdf, "ar", x - 6, y + QR_SIZE + 1.5, QR_SIZE + 12, _t("ar", caption), 8.5,
              color=MUTED, align="C")
        _text(pdf, "en", x - 6, y + QR_SIZE + 6, QR_SIZE + 12, _t("en", caption), 8,
              color=MUTED, align="C")


def _body(data: dict[str, Any], lang: str) -> str:
    name = data[f"full_name_{lang}"]
    if data["kind"] == "GOOD_STANDING":
        return _t(lang, GOOD_STANDING_BODY) % {
            "name": name, "number": _isolate(data["number"]), "rank": data[f"rank_{lang}"],
            "specialty": data[f"specialty_{lang}"]}
    return _t(lang, TRAINING_BODY) % {
        "name": name, "programme": data["programme"], "institution": data["institution"],
        "start": _date(dt.date.fromisoformat(data["start"]), lang),
        "end": _date(dt.date.fromisoformat(data["end"]), lang)}
