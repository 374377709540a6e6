"""What the regulator issued to the signed-in practitioner, to download from the portal:
the registration card, good-standing and training certificates, and payment receipts —
all of them ("My documents"), or one application's. A constant number of queries (one per
kind of document), whatever the number of documents."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from server.domain.registry import kingdom_today
from server.integrations.receipt_pdf import payment_receipt
from server.models.applications import Application
from server.models.certificates import Certificate
from server.models.payments import Payment
from server.models.practitioners import Registration
from server.resolvers.kernel.access import require_account
from server.resolvers.kernel.ids import as_uuid

RECEIPT_STATUSES = ("PAID", "REFUNDED")
CARD_KINDS = ("REGISTRATION", "RENEWAL")  # the applications a card comes from


@dataclass(frozen=True)
class Issued:
    kind: str  # REGISTRATION_CARD | GOOD_STANDING | TRAINING_CERTIFICATE | PAYMENT_RECEIPT
    reference: str
    issued_at: dt.datetime | dt.date | None
    application_id: str | None
    download_url: str


def receipt_reference(payment_id) -> str:
    return f"R-{str(payment_id).replace('-', '')[:10].upper()}"


async def my_documents(ctx, application_id: str | None = None) -> list[Issued]:
    """Newest first. With `application_id`, that application's documents only (another
    account's application gives none, as an unknown one does)."""
    account = require_account(ctx)
    wanted = None
    if application_id is not None:
        wanted = as_uuid(application_id)
        if wanted is None:
            return []
    found: list[Issued] = []
    registration = await Registration.filter(practitioner__account_id=account.id,
                                             suspended=False).first()
    if registration is not None:
        source = await Application.filter(
            applicant_id=account.id, kind__in=CARD_KINDS, status="APPROVED"
        ).order_by("-decided_at").first().values("id", "decided_at")
        source_id = str(source["id"]) if source else None
        if wanted is None or source_id == str(wanted):
            found.append(Issued("REGISTRATION_CARD", registration.number,
                                source["decided_at"] if source else registration.valid_from,
                                source_id, f"/cards/{registration.number}.pdf"))
    certificates = Certificate.filter(practitioner__account_id=account.id, revoked_at=None)
    if wanted is not None:
        certificates = certificates.filter(application_id=wanted)
    for row in await certificates.order_by("-issued_at"):
        found.append(Issued(row.kind, row.code, row.issued_at,
                            str(row.application_id) if row.application_id else None,
                            f"/certificates/{row.code}.pdf"))
    payments = Payment.filter(application__applicant_id=account.id,
                              status__in=RECEIPT_STATUSES)
    if wanted is not None:
        payments = payments.filter(application_id=wanted)
    for row in await payments.order_by("-paid_at"):
        found.append(Issued("PAYMENT_RECEIPT", receipt_reference(row.id), row.paid_at,
                            str(row.application_id), f"/receipts/{row.id}.pdf"))
    return sorted(found, key=lambda d: _instant(d.issued_at), reverse=True)


def _instant(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), dt.UTC)
    return dt.datetime.min.replace(tzinfo=dt.UTC)


async def receipt_pdf_for(account_id, payment_id: str) -> tuple[str, bytes] | None:
    """(reference, PDF) of a paid payment of the account's own application; None for
    another account's payment exactly as for one that does not exist."""
    wanted = as_uuid(payment_id)
    if wanted is None:
        return None
    row = await Payment.filter(id=wanted, application__applicant_id=account_id,
                               status__in=RECEIPT_STATUSES).first().values(
        "id", "amount", "method", "paid_at", "status", "created_at", kind="application__kind")
    if row is None:
        return None
    reference = receipt_reference(row["id"])
    paid = row["paid_at"] or row["created_at"]
    pdf = await asyncio.to_thread(payment_receipt, {
        "reference": reference, "kind": row["kind"], "amount": f"{row['amount']:.2f}",
        "method": row["method"], "paid_on": kingdom_today(paid),
        "refunded": row["status"] == "REFUNDED"})
    return reference, pdf
