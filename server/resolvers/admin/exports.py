"""Staff exports: applications (with the console's filters), payments, refunds, the audit
log and the register, as rows fetched in keyset chunks (`CHUNK` rows a query, ordered by the
primary key), so a million rows never sit in memory at once. Each export is a header and an
async iterator of rows; the page turns them into CSV (server/pages/admin/exports.py).

Who: applications and the register for any staff member; payments, refunds and the audit
log for admins only. Times are written in the Kingdom's time (UTC+3), with the offset."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from tortoise.expressions import Q

from server import clock
from server.domain.applications import ApplicationKind
from server.domain.errors import DomainError
from server.domain.registry import KINGDOM_TIME
from server.models.applications import Application
from server.models.audit import AuditEntry
from server.models.payments import Payment
from server.models.practitioners import Practitioner, Registration
from server.resolvers.kernel.access import require_role, require_staff
from server.resolvers.kernel.caller import Caller

CHUNK = 1000
APPLICATION_STATUSES = ("DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "IN_REVIEW", "APPROVED",
                        "REJECTED", "RETURNED", "CANCELLED")


@dataclass
class Export:
    name: str
    header: list[str]
    rows: AsyncIterator[list]


def kingdom_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(KINGDOM_TIME).isoformat(timespec="seconds")


def _mask(identity: str | None) -> str:
    """Identity numbers in lists and files show their last 4 digits only (PDPL)."""
    return f"******{identity[-4:]}" if identity else ""


async def _chunks(query, fields: tuple[str, ...], key: str = "id", chunk: int | None = None,
                  enrich: Callable[[list[dict]], Awaitable[None]] | None = None
                  ) -> AsyncIterator[dict]:
    """Every row of `query` as dicts of `fields`, `chunk` rows a query, by `key` ascending;
    `enrich` adds related values to each chunk with one more query (never one a row)."""
    size = chunk or CHUNK
    last = None
    while True:
        page = query if last is None else query.filter(**{f"{key}__gt": last})
        rows = await page.order_by(key).limit(size).values(*fields)
        if rows and enrich is not None:
            await enrich(rows)
        for row in rows:
            yield row
        if len(rows) < size:
            return
        last = rows[-1][key]


NAME_FIELDS = ("first_name_ar", "family_name_ar", "first_name_en", "family_name_en",
               "identity_number")


async def _with_practitioners(rows: list[dict]) -> None:
    ids = {r["practitioner_id"] for r in rows if r["practitioner_id"]}
    found = {p["id"]: p for p in await Practitioner.filter(id__in=ids).values(
        "id", *NAME_FIELDS)} if ids else {}
    for r in rows:
        r["practitioner"] = found.get(r["practitioner_id"]) or {}


def _name(person: dict, lang: str) -> str:
    return f"{person.get(f'first_name_{lang}') or ''} " \
           f"{person.get(f'family_name_{lang}') or ''}".strip()


async def _mapped(rows: AsyncIterator[dict], to_row: Callable[[dict], list]
                  ) -> AsyncIterator[list]:
    async for row in rows:
        yield to_row(row)


# ------------------------------------------------------------------ applications

APPLICATION_FIELDS = (
    "id", "kind", "status", "created_at", "submitted_at", "decided_at",
    "decision_reason", "fee", "practitioner_id")


def application_filters(kind: str | None, status: str | None,
                        older_than_days: int | None) -> dict:
    if kind and kind not in ApplicationKind.__members__:
        raise DomainError("INVALID", "kind")
    if status and status not in APPLICATION_STATUSES:
        raise DomainError("INVALID", "status")
    if older_than_days is not None and not 0 <= older_than_days <= 3650:
        raise DomainError("INVALID", "older")
    found: dict = {}
    if kind:
        found["kind"] = kind
    if status:
        found["status"] = status
    if older_than_days is not None:
        found["submitted_at__lte"] = clock.now() - dt.timedelta(days=older_than_days)
    return found


async def applications(ctx: Caller, kind: str | None = None, status: str | None = None,
                       older_than_days: int | None = None, chunk: int | None = None) -> Export:
    require_staff(ctx)
    query = Application.filter(**application_filters(kind, status, older_than_days))

    def row(r: dict) -> list:
        person = r["practitioner"]
        return [str(r["id"]), r["kind"], r["status"], _name(person, "ar"), _name(person, "en"),
                _mask(person.get("identity_number")), kingdom_time(r["created_at"]),
                kingdom_time(r["submitted_at"]), kingdom_time(r["decided_at"]),
                "" if r["fee"] is None else str(r["fee"]), r["decision_reason"]]

    return Export("applications", [
        "application_id", "kind", "status", "name_ar", "name_en", "identity_number", "created_at",
        "submitted_at", "decided_at", "fee_sar", "decision_reason"],
        _mapped(_chunks(query, APPLICATION_FIELDS, chunk=chunk, enrich=_with_practitioners), row))


# ------------------------------------------------------------------ payments and refunds

PAYMENT_FIELDS = (
    "id", "application_id", "application__kind", "provider", "method", "status", "amount",
    "currency", "provider_payment_id", "created_at", "paid_at", "refunded_amount",
    "refund_status", "refund_requested_at", "refunded_at")


async def _with_applications(rows: list[dict]) -> None:
    """Each payment's application: its kind and the applicant's name, one query a chunk."""
    ids = {r["application_id"] for r in rows}
    found = {a["id"]: a for a in await Application.filter(id__in=ids).values(
        "id", "kind", "applicant__first_name", "applicant__family_name", "applicant__email")}
    for r in rows:
        r["application"] = found.get(r["application_id"]) or {}


def _payment_row(r: dict) -> list:
    a = r["application"]
    return [str(r["id"]), str(r["application_id"]), a.get("kind", ""),
            f"{a.get('applicant__first_name') or ''} "
            f"{a.get('applicant__family_name') or ''}".strip(), a.get("applicant__email", ""),
            r["provider"], r["method"], r["status"], str(r["amount"]), r["currency"],
            r["provider_payment_id"] or "", kingdom_time(r["created_at"]),
            kingdom_time(r["paid_at"]), str(r["refunded_amount"]), r["refund_status"],
            kingdom_time(r["refund_requested_at"]), kingdom_time(r["refunded_at"])]


PAYMENT_HEADER = ["payment_id", "application_id", "kind", "applicant", "applicant_email",
                  "provider", "method", "status", "amount", "currency", "gateway_id",
                  "created_at", "paid_at", "refunded_amount", "refund_status",
                  "refund_requested_at", "refunded_at"]


async def payments(ctx: Caller, chunk: int | None = None) -> Export:
    require_role(ctx, "ADMIN")
    return Export("payments", PAYMENT_HEADER,
                  _mapped(_chunks(Payment.all(), PAYMENT_FIELDS, chunk=chunk,
                                  enrich=_with_applications), _payment_row))


async def refunds(ctx: Caller, chunk: int | None = None) -> Export:
    """Payments refunded or whose refund was asked for (requested, declined, done)."""
    require_role(ctx, "ADMIN")
    query = Payment.filter(Q(refund_status__not="") | Q(refunded_amount__gt=0))
    return Export("refunds", PAYMENT_HEADER,
                  _mapped(_chunks(query, PAYMENT_FIELDS, chunk=chunk,
                                  enrich=_with_applications), _payment_row))


# ------------------------------------------------------------------ audit log and register

async def audit_log(ctx: Caller, chunk: int | None = None) -> Export:
    require_role(ctx, "ADMIN")

    def row(r: dict) -> list:
        return [r["id"], kingdom_time(r["at"]), str(r["actor_id"] or ""), r["action"],
                r["target_type"], r["target_id"], r["ip"],
                json.dumps(r["details"] or {}, ensure_ascii=False, sort_keys=True)]

    fields = ("id", "at", "actor_id", "action", "target_type", "target_id", "ip", "details")
    return Export("audit-log", ["id", "at", "actor_id", "action", "target_type", "target_id",
                                "ip", "details"],
                  _mapped(_chunks(AuditEntry.all(), fields, chunk=chunk), row))


async def register(ctx: Caller, chunk: int | None = None) -> Export:
    require_staff(ctx)
    fields = ("id", "number", "rank", "specialty", "valid_from", "valid_until", "suspended",
              "practitioner__first_name_ar", "practitioner__family_name_ar",
              "practitioner__first_name_en", "practitioner__family_name_en",
              "practitioner__category")

    def row(r: dict) -> list:
        return [r["number"], f"{r['practitioner__first_name_ar']} "
                f"{r['practitioner__family_name_ar']}", f"{r['practitioner__first_name_en']} "
                f"{r['practitioner__family_name_en']}", r["practitioner__category"], r["rank"],
                r["specialty"], r["valid_from"].isoformat(), r["valid_until"].isoformat(),
                "yes" if r["suspended"] else "no"]

    return Export("register", ["registration_number", "name_ar", "name_en", "category", "rank",
                               "specialty", "valid_from", "valid_until", "suspended"],
                  _mapped(_chunks(Registration.all(), fields, chunk=chunk), row))


EXPORTS = {"applications": applications, "payments": payments, "refunds": refunds,
           "audit-log": audit_log, "register": register}
