"""The payment receipt (A6 landscape, Arabic and English side by side), drawn with the
registration card's fonts and layout helpers (server/integrations/pdf.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.i18n import N_
from server.integrations import pdf as card

RECEIPT_TITLE = N_("Payment receipt")
CAPTIONS = {
    "reference": N_("Receipt number"),
    "service": N_("Service"),
    "amount": N_("Amount paid"),
    "method": N_("Paid with"),
    "paid_on": N_("Paid on"),
    "status": N_("Status"),
}
SERVICES = {
    "RENEWAL": N_("Registration renewal"),
    "CPD_RECOGNITION": N_("CPD recognition"),
    "PERSONAL_DATA_CHANGE": N_("Change of personal details"),
    "GOOD_STANDING": N_("Good-standing certificate"),
    "TRAINING_CERTIFICATE": N_("Training certificate"),
    "QUALIFICATION_EVALUATION": N_("Qualification evaluation"),
    "CLASSIFICATION": N_("Professional classification"),
    "RECLASSIFICATION": N_("Reclassification"),
    "REGISTRATION": N_("First registration"),
}
AMOUNT = N_("%(amount)s SAR")
REFUNDED = N_("Refunded")
PAID = N_("Paid")


def payment_receipt(data: dict[str, Any]) -> bytes:
    """`data`: reference, kind (the application's), amount (text), method, paid_on (date),
    refunded (bool). CPU-bound (font subsetting): call it in a worker thread."""
    doc = card._new_document(data["reference"])
    doc.set_title(f"Sijil payment receipt {data['reference']}")
    _header(doc)
    card._columns(doc, _values(data, "en"), _values(data, "ar"))
    doc.set_fill_color(*card.BRAND)
    doc.rect(0, card.HEIGHT - 2.0, card.WIDTH, 2.0, style="F")
    return bytes(doc.output())


def _values(data: dict[str, Any], lang: str) -> list[tuple[str, str, bool]]:
    t = card._t
    paid_on: dt.date = data["paid_on"]
    amount = t(lang, AMOUNT) % {"amount": card._isolate(data["amount"]) if lang == "ar"
                                else data["amount"]}
    return [
        (t(lang, CAPTIONS["service"]), t(lang, SERVICES.get(data["kind"], data["kind"])), True),
        (t(lang, CAPTIONS["reference"]), card._isolate(data["reference"]) if lang == "ar"
         else data["reference"], False),
        (t(lang, CAPTIONS["amount"]), amount, True),
        (t(lang, CAPTIONS["method"]), data["method"], False),
        (t(lang, CAPTIONS["paid_on"]), card._date(paid_on, lang), False),
        (t(lang, CAPTIONS["status"]), t(lang, REFUNDED if data["refunded"] else PAID), False),
    ]


def _header(doc) -> None:
    t, inner = card._t, card.WIDTH - 2 * card.MARGIN
    doc.set_fill_color(*card.BRAND)
    doc.rect(0, 0, card.WIDTH, card.HEADER_H, style="F")
    card._text(doc, "en", card.MARGIN, 3.2, inner / 2, t("en", card.BRAND_NAME), 15, bold=True,
               color=card.WHITE)
    card._text(doc, "en", card.MARGIN, 11.2, inner / 2, t("en", card.REGISTER), 7.5,
               color=card.TINT)
    card._text(doc, "ar", card.WIDTH / 2, 1.8, inner / 2, t("ar", card.BRAND_NAME), 17,
               bold=True, color=card.WHITE)
    card._text(doc, "ar", card.WIDTH / 2, 10.6, inner / 2, t("ar", card.REGISTER), 8,
               color=card.TINT)
    doc.set_fill_color(*card.TINT)
    doc.rect(0, card.HEADER_H, card.WIDTH, card.TITLE_H, style="F")
    card._text(doc, "en", card.MARGIN, card.HEADER_H + 1.3, inner / 2, t("en", RECEIPT_TITLE),
               7.5, bold=True, color=card.BRAND_DARK)
    card._text(doc, "ar", card.WIDTH / 2, card.HEADER_H + 0.6, inner / 2,
               t("ar", RECEIPT_TITLE), 8.5, bold=True, color=card.BRAND_DARK)
