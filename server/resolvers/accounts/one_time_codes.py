"""One-time codes and email-link tokens (docs/security.md): 6 digits, 5 minutes, single use,
bound to purpose, 5 wrong tries, stored as an HMAC; resend cooldown and caps."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.domain import otp
from server.domain.errors import DomainError
from server.i18n import N_
from server.models.accounts import Account, OneTimeCode
from server.resolvers.kernel.limits import rate_limited

CODE_LIFETIME = dt.timedelta(minutes=5)
LINK_LIFETIME = dt.timedelta(hours=24)
RESET_LIFETIME = dt.timedelta(hours=1)
MAX_WRONG = 5
RESEND_COOLDOWN = dt.timedelta(seconds=60)
RESEND_CAPS = ((dt.timedelta(minutes=15), 3), (dt.timedelta(days=1), 10))

# Purposes
REGISTRATION = "REGISTRATION"
LOGIN = "LOGIN"
MOBILE_CHANGE = "MOBILE_CHANGE"
EMAIL_CONFIRM = "EMAIL_CONFIRM"
EMAIL_CHANGE = "EMAIL_CHANGE"
PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 - a purpose name, not a secret
TOTP_LOGIN = "TOTP_LOGIN"


async def issue_code(secret: str, account: Account, purpose: str, target: str,
                     channel: str = "SMS") -> tuple[OneTimeCode, str]:
    """A new code replaces any earlier live code of the same purpose."""
    await OneTimeCode.filter(account_id=account.id, purpose=purpose, used_at=None) \
        .update(used_at=clock.now())
    code = otp.new_code()
    row = await OneTimeCode.create(
        account=account, purpose=purpose, channel=channel, target=target,
        code_hmac=otp.code_hmac(secret, purpose, str(account.id), code),
        expires_at=clock.now() + CODE_LIFETIME)
    return row, code


async def issue_token(secret: str, account: Account, purpose: str, target: str,
                      lifetime: dt.timedelta) -> str:
    await OneTimeCode.filter(account_id=account.id, purpose=purpose, used_at=None) \
        .update(used_at=clock.now())
    token = otp.new_token()
    await OneTimeCode.create(account=account, purpose=purpose, channel="EMAIL", target=target,
                             code_hmac=otp.code_hmac(secret, purpose, "link", token),
                             expires_at=clock.now() + lifetime)
    return token


async def take_token(secret: str, purpose: str, token: str, field: str = "token") -> OneTimeCode:
    """The live token row, marked used; INVALID or EXPIRED otherwise."""
    if not token or len(token) > 100:
        raise DomainError("INVALID", field, N_("This link is not valid. Ask for a new one."))
    row = await OneTimeCode.get_or_none(
        code_hmac=otp.code_hmac(secret, purpose, "link", token), purpose=purpose)
    if row is None:
        raise DomainError("INVALID", field, N_("This link is not valid. Ask for a new one."))
    if row.used_at is not None or row.expires_at <= clock.now():
        raise DomainError("EXPIRED", field,
                          N_("This link has expired or was already used. Ask for a new one."))
    taken = await OneTimeCode.filter(id=row.id, used_at=None).update(used_at=clock.now())
    if taken != 1:
        raise DomainError("EXPIRED", field,
                          N_("This link has expired or was already used. Ask for a new one."))
    return row


async def check_code(secret: str, row: OneTimeCode | None, code: str,
                     field: str = "code") -> OneTimeCode:
    """Spends the code if right; counts a wrong try. The 6th try fails even if right."""
    if row is None or row.used_at is not None or row.expires_at <= clock.now() \
            or row.attempts >= MAX_WRONG:
        raise DomainError("EXPIRED", field,
                          N_("This code has expired. Ask for a new code."))
    code = (code or "").strip()
    right = otp.code_hmac(secret, row.purpose, str(row.account_id), code) == row.code_hmac
    if not right:
        attempts = row.attempts + 1
        await OneTimeCode.filter(id=row.id).update(attempts=attempts)
        left = MAX_WRONG - attempts
        if left <= 0:
            raise DomainError("EXPIRED", field,
                              N_("Too many wrong codes. Ask for a new code."))
        raise DomainError("INVALID", field,
                          N_("The code is not right. %(left)s tries left."), left=left)
    spent = await OneTimeCode.filter(id=row.id, used_at=None, attempts=row.attempts) \
        .update(used_at=clock.now())
    if spent != 1:
        raise DomainError("EXPIRED", field, N_("This code has expired. Ask for a new code."))
    return row


async def check_resend_allowed(account: Account, purpose: str, target: str) -> None:
    """60 s between codes; at most 3 in 15 minutes and 10 a day, per account and per number."""
    moment = clock.now()
    for window, cap in ((RESEND_COOLDOWN, 1), *RESEND_CAPS):
        since = moment - window
        by_account = await OneTimeCode.filter(account_id=account.id, purpose=purpose,
                                              created_at__gte=since).count()
        by_number = await OneTimeCode.filter(target=target, purpose=purpose,
                                             created_at__gte=since).count()
        if max(by_account, by_number) >= cap:
            oldest = await OneTimeCode.filter(account_id=account.id, purpose=purpose,
                                              created_at__gte=since).order_by("created_at").first()
            wait = window - (moment - oldest.created_at) if oldest else window
            raise rate_limited(int(wait.total_seconds()) + 1, None)
