"""Admin-editable settings: the fee schedule, the renewal questions, the renewal policy
(approve at payment or not) and the review time targets. Each is a `Setting` row (key →
JSON) read over the code's defaults; where no row exists (or a stored value no longer
parses) the defaults apply."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from tortoise.transactions import in_transaction

from server.domain import codes, fees
from server.domain.applications import ApplicationKind
from server.domain.errors import DomainError, Problems
from server.domain.renewal import ANSWERS, DEFAULT_QUESTIONS, Question
from server.i18n import N_
from server.models.settings import Setting
from server.resolvers.kernel import audit
from server.resolvers.kernel.access import require_role
from server.resolvers.kernel.caller import Caller

log = logging.getLogger("sijil.settings")

FEES = "fees"
QUESTIONS = "renewal_questions"
REVIEW_TARGETS = "review_targets"
RENEWAL_POLICY = "renewal_policy"
# A renewal that meets every rule, with no answer that needs a reviewer, is approved the
# moment it is paid, unless an admin turns this off (then every renewal is reviewed).
DEFAULT_AUTO_APPROVE = True

MAX_FEE = Decimal("100000")
# Days within which each kind should be decided (server/resolvers/review/queue.py's constant,
# until it reads `review_targets()`).
DEFAULT_REVIEW_TARGETS: Mapping[str, int] = {
    "RENEWAL": 3,
    "CPD_RECOGNITION": 5,
    "PERSONAL_DATA_CHANGE": 5,
}
DEFAULT_TARGET_DAYS = 10
MAX_TARGET_DAYS = 365
MAX_QUESTIONS = 20


async def _value(key: str):
    row = await Setting.get_or_none(key=key)
    return row.value if row is not None else None


async def _store(ctx: Caller, key: str, value, shown=None) -> None:
    async with in_transaction():
        updated = await Setting.filter(key=key).update(value=value,
                                                       updated_by_id=ctx.account.id)
        if not updated:
            await Setting.create(key=key, value=value, updated_by_id=ctx.account.id)
        await audit.record(f"settings.{key}", actor=ctx.account, target_type="setting",
                           target_id=key, ip=ctx.ip, value=value if shown is None else shown)


# ------------------------------------------------------------------ reading

async def fee_schedule() -> fees.FeeSchedule:
    """The defaults with the admin's amounts in place."""
    stored = await _value(FEES)
    if not isinstance(stored, dict):
        return fees.DEFAULT_SCHEDULE
    try:
        return fees.make_schedule(stored)
    except ValueError:
        log.error("the stored fee schedule is not valid; the defaults apply")
        return fees.DEFAULT_SCHEDULE


def _question(item: dict) -> Question:
    return Question(code=str(item["code"]), text_ar=str(item["text_ar"]),
                    text_en=str(item["text_en"]), risk_answer=item.get("risk_answer") or None,
                    requires_document=item.get("requires_document") or None,
                    requires_on=item.get("requires_on") or "YES")


async def renewal_questions() -> tuple[Question, ...]:
    stored = await _value(QUESTIONS)
    if not isinstance(stored, list) or not stored:
        return DEFAULT_QUESTIONS
    try:
        return tuple(_question(item) for item in stored)
    except (KeyError, TypeError):
        log.error("the stored renewal questions are not valid; the defaults apply")
        return DEFAULT_QUESTIONS


async def review_targets() -> dict[str, int]:
    """Application kind → days within which it should be decided (every kind listed)."""
    stored = await _value(REVIEW_TARGETS)
    found = {kind.value: DEFAULT_REVIEW_TARGETS.get(kind.value, DEFAULT_TARGET_DAYS)
             for kind in ApplicationKind}
    if isinstance(stored, dict):
        found.update({k: v for k, v in stored.items()
                      if k in found and isinstance(v, int) and v > 0})
    return found


async def auto_approve_renewals() -> bool:
    stored = await _value(RENEWAL_POLICY)
    if isinstance(stored, dict) and isinstance(stored.get("auto_approve"), bool):
        return stored["auto_approve"]
    return DEFAULT_AUTO_APPROVE


async def update_renewal_policy(ctx: Caller, auto_approve: bool | None) -> bool:
    require_role(ctx, "ADMIN")
    if not isinstance(auto_approve, bool):
        raise DomainError("REQUIRED", "autoApprove", N_(
            "Choose whether renewals that meet every rule are approved when paid."))
    await _store(ctx, RENEWAL_POLICY, {"auto_approve": auto_approve})
    return auto_approve


def question_dict(q: Question) -> dict:
    return {"code": q.code, "text_ar": q.text_ar, "text_en": q.text_en,
            "risk_answer": q.risk_answer, "requires_document": q.requires_document,
            "requires_on": q.requires_on}


# ------------------------------------------------------------------ editing (admins)

async def update_fee_schedule(ctx: Caller, items: list[dict]) -> fees.FeeSchedule:
    """items: [{key, amount}] (amount a decimal string); only the items given change."""
    require_role(ctx, "ADMIN")
    if not items:
        raise DomainError("REQUIRED", "items", N_("Enter at least one amount."))
    problems = Problems()
    current = dict(await fee_schedule())
    changed: dict[str, Decimal] = {}
    for index, item in enumerate(items):
        key = str(item.get("key") or "")
        field = f"items.{index}.amount"
        if key not in fees.DEFAULT_SCHEDULE:
            problems.add("INVALID", f"items.{index}.key", N_("Unknown fee: %(key)s."), key=key)
            continue
        try:
            amount = fees.parse_amount(str(item.get("amount") or ""))
        except ValueError:
            amount = None
        if amount is None or amount <= 0 or amount > MAX_FEE:
            problems.add("INVALID", field, N_(
                "Enter an amount in riyals above 0 and up to 100,000, like 250.00."))
            continue
        changed[key] = amount
    problems.raise_if_any()
    current.update(changed)
    stored = {k: fees.amount_string(v) for k, v in current.items()
              if v != fees.DEFAULT_SCHEDULE[k]}
    await _store(ctx, FEES, stored)
    return fees.make_schedule(stored)


async def update_renewal_questions(ctx: Caller, items: list[dict]) -> tuple[Question, ...]:
    """Replaces the whole set. items: [{code, textAr, textEn, riskAnswer,
    requiresDocument}]."""
    require_role(ctx, "ADMIN")
    if not items:
        raise DomainError("REQUIRED", "questions", N_("Keep at least one question."))
    if len(items) > MAX_QUESTIONS:
        raise DomainError("INVALID", "questions", N_("At most %(n)s questions."),
                          n=MAX_QUESTIONS)
    problems = Problems()
    found: list[Question] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        prefix = f"questions.{index}"
        code = str(item.get("code") or "").strip().upper()
        if not code:
            problems.add("REQUIRED", f"{prefix}.code", N_("Give the question a code."))
        elif not all(c.isascii() and (c.isalnum() or c == "_") for c in code) \
                or len(code) > 40:
            problems.add("INVALID", f"{prefix}.code", N_(
                "A code is up to 40 letters, digits and underscores, like VALID_BLS."))
        elif code in seen:
            problems.add("TAKEN", f"{prefix}.code", N_("Two questions have the code %(question)s."),
                         question=code)
        seen.add(code)
        text_ar = " ".join(str(item.get("textAr") or "").split())
        text_en = " ".join(str(item.get("textEn") or "").split())
        if not text_ar:
            problems.add("REQUIRED", f"{prefix}.textAr", N_("Write the question in Arabic."))
        if not text_en:
            problems.add("REQUIRED", f"{prefix}.textEn", N_("Write the question in English."))
        if len(text_ar) > 500 or len(text_en) > 500:
            problems.add("INVALID", f"{prefix}.textAr" if len(text_ar) > 500
                         else f"{prefix}.textEn", N_("At most 500 characters."))
        risk = str(item.get("riskAnswer") or "").upper() or None
        if risk is not None and risk not in ANSWERS:
            problems.add("INVALID", f"{prefix}.riskAnswer", N_("Choose yes, no or neither."))
        document = str(item.get("requiresDocument") or "") or None
        if document is not None and not codes.is_code("document_kind", document):
            problems.add("INVALID", f"{prefix}.requiresDocument", N_(
                "Unknown document kind: %(kind)s."), kind=document)
        found.append(Question(code, text_ar, text_en, risk_answer=risk,
                              requires_document=document))
    problems.raise_if_any()
    await _store(ctx, QUESTIONS, [question_dict(q) for q in found],
                 shown=[q.code for q in found])
    return tuple(found)


async def update_review_targets(ctx: Caller, items: list[dict]) -> dict[str, int]:
    """items: [{kind, days}]; kinds not given keep their target."""
    require_role(ctx, "ADMIN")
    if not items:
        raise DomainError("REQUIRED", "items", N_("Enter at least one target."))
    problems = Problems()
    current = await review_targets()
    for index, item in enumerate(items):
        kind = str(item.get("kind") or "")
        days = item.get("days")
        if kind not in current:
            problems.add("INVALID", f"items.{index}.kind", N_(
                "Unknown application kind: %(kind)s."), kind=kind)
        elif not isinstance(days, int) or isinstance(days, bool) \
                or not 1 <= days <= MAX_TARGET_DAYS:
            problems.add("INVALID", f"items.{index}.days", N_(
                "Enter whole days, from 1 to 365."))
        else:
            current[kind] = days
    problems.raise_if_any()
    await _store(ctx, REVIEW_TARGETS, current)
    return current
