"""Everything Sijil holds about the signed-in account, as one ZIP (PDPL: the right to a copy
of one's personal data): the record with its entries and CPD, the applications with their
history, the payments, the account's audit rows and the uploaded files.

Nothing of anyone else: every query is keyed by the caller's account id (or the record that
account has claimed), and reviewers' identities in events are left out (only the status
changes and the reasons the applicant was given)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from typing import Any

from server import clock
from server.domain.identity import mask_identity
from server.i18n import N_, gettext
from server.integrations.storage import storage_for
from server.models.accounts import Account, Session
from server.models.applications import Application, ApplicationDocument, ApplicationEvent
from server.models.audit import AuditEntry
from server.models.documents import Document
from server.models.payments import Payment
from server.models.practitioners import (
    CpdActivity,
    Experience,
    License,
    Practitioner,
    Qualification,
    RecordChange,
    Registration,
)
from server.resolvers.kernel.access import require_account
from server.resolvers.kernel.caller import Caller

FILES = {
    "manifest.json": N_("What each file of this export is, when it was made, for which "
                        "account."),
    "account.json": N_("Your account: email, mobile, languages, verification and sign-in "
                       "settings (never your password or codes)."),
    "record.json": N_("Your practitioner record: personal details, registration, "
                      "experiences, licences, qualifications, CPD activities and the history "
                      "of changes."),
    "applications.json": N_("Your applications, each with its status changes."),
    "payments.json": N_("Your payments and refunds."),
    "audit.json": N_("What the audit log holds about your own actions."),
    "sessions.json": N_("Your active sessions."),
    "documents/": N_("The files you uploaded, named <id>-<your file name>."),
}
SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _row(model, *fields: str) -> dict:
    return {f: _json(getattr(model, f)) for f in fields}


def _dump(value: Any) -> bytes:
    return json.dumps(_json(value), ensure_ascii=False, indent=2, sort_keys=True).encode()


def document_entry_name(document: Document) -> str:
    name = SAFE_NAME.sub("_", document.original_name or "file").strip(" .") or "file"
    return f"documents/{document.id}-{name[:150]}"


async def _record(account: Account) -> dict | None:
    practitioner = await Practitioner.get_or_none(account_id=account.id)
    if practitioner is None:
        return None
    pid = practitioner.id
    registration = await Registration.get_or_none(practitioner_id=pid)
    person = _row(practitioner, "id", "identity_type", "first_name_ar", "father_name_ar",
                  "grandfather_name_ar", "family_name_ar", "first_name_en", "father_name_en",
                  "grandfather_name_en", "family_name_en", "date_of_birth", "gender",
                  "nationality", "category", "specialty", "rank")
    # The full identity number is the practitioner's own, but an export file travels: it
    # carries the same last-4 mask as everything else Sijil shows.
    person["identity_number"] = mask_identity(practitioner.identity_number)
    return {
        "practitioner": person,
        "registration": _row(registration, "number", "rank", "specialty", "valid_from",
                             "valid_until", "suspended") if registration else None,
        "experiences": [_row(e, "id", "city", "country", "workplace", "specialty",
                             "job_description", "start_date", "end_date",
                             "organization_type", "certificate_id", "created_at")
                        for e in await Experience.filter(practitioner_id=pid)
                        .order_by("start_date")],
        "licenses": [_row(x, "id", "specialty", "expiry_date", "country", "authority",
                          "reference_number", "document_id", "created_at")
                     for x in await License.filter(practitioner_id=pid).order_by("created_at")],
        "qualifications": [_row(q, "id", "degree", "institution", "country", "awarded_on",
                                "certificate_id", "verification_reference",
                                "verification_outcome", "status", "created_at")
                           for q in await Qualification.filter(practitioner_id=pid)
                           .order_by("awarded_on")],
        "cpd_activities": [_row(c, "id", "title", "provider", "accreditation_number", "hours",
                                "recognised_hours", "completed_on", "status", "certificate_id",
                                "application_id", "created_at")
                           for c in await CpdActivity.filter(practitioner_id=pid)
                           .order_by("completed_on")],
        "changes": [_row(c, "at", "what", "changes", "application_id")
                    for c in await RecordChange.filter(practitioner_id=pid).order_by("at")],
    }


async def _applications(account: Account) -> tuple[list[dict], list[Application]]:
    rows = await Application.filter(applicant_id=account.id).order_by("created_at")
    ids = [r.id for r in rows]
    events: dict = {}
    for event in await ApplicationEvent.filter(application_id__in=ids).order_by("at", "id"):
        events.setdefault(event.application_id, []).append(
            _row(event, "at", "from_status", "to_status", "reason"))
    attached: dict = {}
    for link in await ApplicationDocument.filter(application_id__in=ids):
        attached.setdefault(link.application_id, []).append(
            {"kind": link.kind, "document_id": str(link.document_id)})
    out = []
    for r in rows:
        item = _row(r, "id", "kind", "status", "data", "years", "fee", "created_at",
                    "submitted_at", "decided_at", "decision_reason")
        item["events"] = events.get(r.id, [])
        item["documents"] = attached.get(r.id, [])
        out.append(item)
    return out, rows


async def export_everything(ctx: Caller) -> bytes:
    """The ZIP for the signed-in account."""
    account = require_account(ctx)
    account = await Account.get(id=account.id)
    applications, rows = await _applications(account)
    payments = [_row(p, "id", "application_id", "provider", "method", "status", "amount",
                     "currency", "sadad_bill_number", "created_at", "paid_at",
                     "refunded_amount", "refund_status", "refund_requested_at")
                for p in await Payment.filter(application_id__in=[r.id for r in rows])
                .order_by("created_at")]
    audit = [_row(a, "at", "action", "target_type", "target_id", "ip", "details")
             for a in await AuditEntry.filter(actor_id=account.id).order_by("at", "id")]
    sessions = [_row(s, "created_at", "last_seen_at", "expires_at", "ip", "user_agent")
                for s in await Session.filter(account_id=account.id).order_by("created_at")]
    documents = await Document.filter(owner_id=account.id).order_by("created_at")
    lang = ctx.lang
    storage = storage_for(ctx.settings)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def put(name: str, data: bytes) -> None:
            archive.writestr(zipfile.ZipInfo(name, date_time=_now_tuple()), data,
                             compress_type=zipfile.ZIP_DEFLATED)

        document_entries = []
        for document in documents:
            name = document_entry_name(document)
            chunks = []
            try:
                async for chunk in await storage.open(document.storage_key):
                    chunks.append(chunk)
            except (FileNotFoundError, ValueError):
                document_entries.append({"file": None, "id": str(document.id),
                                         "missing": True})
                continue
            put(name, b"".join(chunks))
            document_entries.append({"file": name, "id": str(document.id), "kind":
                                     document.kind, "content_type": document.content_type,
                                     "size": document.size, "sha256": document.sha256,
                                     "original_name": document.original_name,
                                     "uploaded_at": _json(document.created_at)})
        put("account.json", _dump({
            **_row(account, "id", "email", "mobile", "first_name", "family_name", "status",
                   "roles", "language", "email_verified_at", "mobile_verified_at",
                   "created_at"),
            "authenticator_enabled": bool(account.totp_secret)}))
        put("record.json", _dump(await _record(account)))
        put("applications.json", _dump(applications))
        put("payments.json", _dump(payments))
        put("audit.json", _dump(audit))
        put("sessions.json", _dump(sessions))
        put("manifest.json", _dump({
            "generated_at": clock.now().isoformat(),
            "account_id": str(account.id),
            "language": lang,
            "files": {name: gettext(lang, text) for name, text in FILES.items()},
            "documents": document_entries,
        }))
    return buffer.getvalue()


def _now_tuple() -> tuple[int, int, int, int, int, int]:
    now = clock.now()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)
