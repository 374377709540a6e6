"""Staff accounts (reviewers and admins): created by an operator, active at once, and
bound to an authenticator app from the start."""

from __future__ import annotations

import secrets

from tortoise.transactions import in_transaction

from server import clock
from server.domain import otp
from server.domain.errors import DomainError, Problems
from server.domain.passwords import password_problem
from server.models.accounts import Account
from server.resolvers.accounts.signup import PASSWORD_MESSAGES, account_email, hash_password
from server.resolvers.kernel import audit

# A supervisor reviews too, and also assigns cases and takes claims back (review/workflow.py).
STAFF_ROLES = {"reviewer": "REVIEWER", "supervisor": "REVIEWER,SUPERVISOR", "admin": "ADMIN"}


def temporary_password() -> str:
    """Five random words' worth of entropy (about 100 bits), easy to type once."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(4))


async def create_staff(email: str, role: str, password: str, first_name: str = "",
                       family_name: str = "", must_change_password: bool = False
                       ) -> tuple[Account, str]:
    """Returns the account and the otpauth:// URI to put in the authenticator app."""
    problems = Problems()
    try:
        email = account_email(email)
    except ValueError:
        problems.add("INVALID", "email", "not an email address")
    if role not in STAFF_ROLES:
        problems.add("INVALID", "role", "role must be reviewer, supervisor or admin")
    problem = password_problem(password, [email, first_name, family_name])
    if problem:
        problems.add("TOO_WEAK", "password", PASSWORD_MESSAGES[problem])
    problems.raise_if_any()
    if await Account.exists(email=email):
        raise DomainError("TAKEN", "email", "an account with this email already exists")
    secret = otp.new_totp_secret()
    async with in_transaction():
        account = await Account.create(
            email=email, mobile="", first_name=first_name or email.split("@")[0],
            family_name=family_name or "-", password_hash=await hash_password(password),
            status="ACTIVE", roles=STAFF_ROLES[role], email_verified_at=clock.now(),
            totp_secret=secret, must_change_password=must_change_password)
        await audit.record("staff.created", target_type="account", target_id=account.id,
                           role=STAFF_ROLES[role])
    return account, otp.otpauth_uri(secret, email)
