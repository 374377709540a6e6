"""Demonstration accounts for `sijil demo`: a practitioner who has not linked a record yet
(to try claiming 24-R-0000101), one already linked to 23-R-0000103, a reviewer and an
admin. Sign-in codes appear on /dev/sms; staff add the printed otpauth URI to an
authenticator app. Idempotent."""

from __future__ import annotations

from server import clock
from server.config import Settings
from server.domain import otp
from server.models.accounts import Account
from server.models.practitioners import Practitioner
from server.resolvers.accounts.signup import hash_password

PASSWORD = "demo harbour lantern 42"  # noqa: S105 - documented demonstration password
STAFF_SECRETS = {  # fixed, so the authenticator entry survives a reset of var/
    "reviewer@sijil.example": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "admin@sijil.example": "KRSXG5DSNFXGOIDBNZSCAY3POR4WK4TJ",
}


async def _account(email: str, mobile: str, first: str, family: str, roles: str = "PRACTITIONER",
                   totp: str | None = None) -> Account:
    existing = await Account.get_or_none(email=email)
    if existing is not None:
        return existing
    moment = clock.now()
    return await Account.create(
        email=email, mobile=mobile, first_name=first, family_name=family,
        password_hash=await hash_password(PASSWORD), status="ACTIVE", roles=roles,
        email_verified_at=moment, mobile_verified_at=moment, totp_secret=totp,
        language="ar")


async def load_accounts_demo(settings: Settings) -> list[str]:
    await _account("sara@sijil.example", "+966501234567", "Sara", "Alqahtani")
    fahad = await _account("fahad@sijil.example", "+966551234567", "Fahad", "Alotaibi")
    await Practitioner.filter(identity_number="1000000016", account_id=None).update(
        account_id=fahad.id, claimed_at=clock.now())
    await _account("reviewer@sijil.example", "", "Noura", "Alharbi", "REVIEWER",
                   STAFF_SECRETS["reviewer@sijil.example"])
    await _account("admin@sijil.example", "", "Khalid", "Alshehri", "ADMIN",
                   STAFF_SECRETS["admin@sijil.example"])
    return [
        f"Demo accounts (password for all: {PASSWORD!r}; SMS codes on /dev/sms):",
        "  sara@sijil.example     practitioner; link record 24-R-0000101 "
        "(ID 1000000008, born 1985-04-12) at /record/claim, then renew",
        "  fahad@sijil.example    practitioner already linked to 23-R-0000103",
        "  reviewer@sijil.example reviewer; authenticator: "
        + otp.otpauth_uri(STAFF_SECRETS["reviewer@sijil.example"], "reviewer@sijil.example"),
        "  admin@sijil.example    admin; authenticator: "
        + otp.otpauth_uri(STAFF_SECRETS["admin@sijil.example"], "admin@sijil.example"),
    ]
