"""Canned reasons an admin keeps for reviewers' decisions: each in Arabic and English, picked
on the decision form instead of typed from scratch (the reviewer may still edit the text).
Stored as the `canned_reasons` setting (a list of {text_ar, text_en}), audited like every
setting."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.errors import Problems
from server.i18n import N_
from server.resolvers.kernel.access import require_role, require_staff
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.settings import _store, _value

CANNED_REASONS = "canned_reasons"
MAX_REASONS = 30
MAX_LENGTH = 500


@dataclass(frozen=True)
class CannedReason:
    text_ar: str
    text_en: str


async def canned_reasons(ctx: Caller) -> list[CannedReason]:
    require_staff(ctx)
    stored = await _value(CANNED_REASONS)
    if not isinstance(stored, list):
        return []
    return [CannedReason(str(r.get("text_ar", "")), str(r.get("text_en", "")))
            for r in stored if isinstance(r, dict)]


async def update_canned_reasons(ctx: Caller, reasons: list[dict]) -> list[CannedReason]:
    """Rows with both texts empty are dropped; a row needs both languages."""
    require_role(ctx, "ADMIN")
    problems = Problems()
    kept: list[dict] = []
    for i, row in enumerate(reasons):
        ar = " ".join(str(row.get("text_ar") or "").split())
        en = " ".join(str(row.get("text_en") or "").split())
        if not ar and not en:
            continue
        if not ar:
            problems.add("REQUIRED", f"reasons.{i}.textAr", N_("Write the reason in Arabic."))
        if not en:
            problems.add("REQUIRED", f"reasons.{i}.textEn", N_("Write the reason in English."))
        if len(ar) > MAX_LENGTH or len(en) > MAX_LENGTH:
            problems.add("INVALID", f"reasons.{i}.textAr", N_("At most 500 characters."))
        kept.append({"text_ar": ar, "text_en": en})
    if len(kept) > MAX_REASONS:
        problems.add("INVALID", "reasons", N_("At most 30 reasons."))
    problems.raise_if_any()
    await _store(ctx, CANNED_REASONS, kept)
    return [CannedReason(r["text_ar"], r["text_en"]) for r in kept]
