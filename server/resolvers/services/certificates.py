"""Issuing certificates, and the public check of a certificate's code."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets

from server import clock
from server.config import Settings
from server.domain import codes
from server.domain.names import full_name
from server.integrations.certificate_pdf import certificate_pdf
from server.models.accounts import Account
from server.models.certificates import Certificate
from server.models.practitioners import Practitioner, Registration
from server.resolvers.kernel import notify

GOOD_STANDING_VALIDITY = dt.timedelta(days=90)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


async def issue(settings: Settings, application, kind: str, data: dict | None = None
                ) -> Certificate:
    """Inside the approval's transaction: the certificate row, and its PDF by email."""
    valid_until = clock.today() + GOOD_STANDING_VALIDITY if kind == "GOOD_STANDING" \
        else None
    certificate = await Certificate.create(
        code=new_code(), kind=kind, practitioner_id=application.practitioner_id,
        application_id=application.id, valid_until=valid_until, data=data or {})
    pdf = await pdf_for(settings, certificate)
    applicant = await Account.get(id=application.applicant_id)
    await notify.email(settings, applicant.email, applicant.language, "certificate_issued",
                       dedupe_key=f"certificate:{certificate.id}", name=applicant.first_name,
                       code=certificate.code, kind=kind, attachments=[{
                           "filename": f"sijil-certificate-{certificate.code}.pdf",
                           "content_type": "application/pdf", "data": pdf}])
    return certificate


async def pdf_for(settings: Settings, certificate: Certificate) -> bytes:
    practitioner = await Practitioner.get(id=certificate.practitioner_id)
    registration = await Registration.get_or_none(practitioner_id=practitioner.id)
    data = {
        "kind": certificate.kind, "code": certificate.code,
        "issued_on": certificate.issued_at.date(), "valid_until": certificate.valid_until,
        "full_name_ar": full_name([practitioner.first_name_ar, practitioner.father_name_ar,
                                   practitioner.grandfather_name_ar,
                                   practitioner.family_name_ar]),
        "full_name_en": full_name([practitioner.first_name_en, practitioner.father_name_en,
                                   practitioner.grandfather_name_en,
                                   practitioner.family_name_en]),
        "number": registration.number if registration else "",
        **certificate.data,
    }
    for lang in ("ar", "en"):
        data[f"rank_{lang}"] = codes.label("rank", practitioner.rank, lang) or practitioner.rank
        data[f"specialty_{lang}"] = codes.label("specialty", practitioner.specialty, lang) \
            or practitioner.specialty
    # fpdf2 with text shaping takes ~0.2 s of CPU: off the event loop.
    return await asyncio.to_thread(certificate_pdf, data, settings.base_url)


async def check(code: str) -> dict | None:
    """The public answer for a certificate code: who, what, and whether it is valid now."""
    code = (code or "").strip().upper()
    if not 4 <= len(code) <= 24:
        return None
    certificate = await Certificate.get_or_none(code=code).select_related("practitioner")
    if certificate is None:
        return None
    p = certificate.practitioner
    today = clock.today()
    expired = certificate.valid_until is not None and certificate.valid_until < today
    return {
        "code": certificate.code, "kind": certificate.kind,
        "full_name_ar": full_name([p.first_name_ar, p.father_name_ar, p.grandfather_name_ar,
                                   p.family_name_ar]),
        "full_name_en": full_name([p.first_name_en, p.father_name_en, p.grandfather_name_en,
                                   p.family_name_en]),
        "issued_on": certificate.issued_at.date(), "valid_until": certificate.valid_until,
        "valid": certificate.revoked_at is None and not expired,
        "revoked": certificate.revoked_at is not None, "expired": expired,
    }


async def owned(account_id, code: str) -> Certificate | None:
    return await Certificate.get_or_none(code=(code or "").upper(),
                                         practitioner__account_id=account_id)
