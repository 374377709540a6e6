"""Signing in: password, then a one-time code (SMS, or the authenticator app). Staff must use
an authenticator app. Failed sign-ins slow down after 5 in a row and lock after 100."""

from __future__ import annotations

import datetime as dt
import time

from tortoise.transactions import in_transaction

from server import clock
from server.domain import otp
from server.domain.errors import DomainError, Problems
from server.i18n import N_
from server.models.accounts import Account, OneTimeCode, Session
from server.resolvers.accounts import one_time_codes, sessions
from server.resolvers.accounts.by_identity import account_by_identity_number
from server.resolvers.accounts.signup import (
    account_email,
    check_new_password,
    hash_password,
    personal_words,
    send_mobile_code,
    verify_password,
)
from server.resolvers.kernel import audit, limits, notify
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid

FREE_FAILURES = 5
LOCK_AFTER = 100
MAX_DELAY = dt.timedelta(minutes=15)
# A real argon2id hash of a random password: unknown accounts cost the same time to refuse.
_DUMMY_HASH = None

WRONG_CREDENTIALS = N_("The sign-in details are not right. Check them and try again.")


async def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = await hash_password(otp.new_token())
    return _DUMMY_HASH


def failure_delay(failures: int) -> dt.timedelta:
    """Nothing for the first 5 failures in a row, then 1 s, 2 s, 4 s … up to 15 minutes."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    exponent = min(failures - FREE_FAILURES, 20)  # 2**20 s is far past the cap already
    return min(dt.timedelta(seconds=2**exponent), MAX_DELAY)


async def find_account(identifier: str) -> Account | None:
    """By email, or by national ID / Iqama number once the account holds a claimed record."""
    identifier = identifier.strip()
    if "@" in identifier:
        try:
            return await Account.get_or_none(email=account_email(identifier))
        except ValueError:
            return None
    return await account_by_identity_number(identifier)


async def login(ctx: Caller, identifier: str, password: str) -> OneTimeCode:
    problems = Problems()
    if not (identifier or "").strip():
        problems.add("REQUIRED", "identifier",
                     N_("Enter your email, national ID or Iqama number."))
    if not password:
        problems.add("REQUIRED", "password", N_("Enter your password."))
    problems.raise_if_any()
    await limits.limit(f"login:ip:{ctx.ip}", 60, dt.timedelta(minutes=5))

    account = await find_account(identifier)
    if account is None:
        await verify_password(await _dummy_hash(), password)
        await audit.record("signin.failed", ip=ctx.ip, reason="unknown identifier")
        raise DomainError("INVALID", None, WRONG_CREDENTIALS)
    if account.locked_at is not None:
        await audit.record("signin.refused_locked", actor=account, ip=ctx.ip)
        raise DomainError("NOT_ALLOWED", None, N_(
            "This account is locked after too many failed sign-ins. Reset your password by "
            "email to unlock it."))
    wait = _throttle_wait(account)
    if wait is not None:
        raise limits.rate_limited(wait)

    if not await verify_password(account.password_hash, password):
        await _count_failure(ctx, account)
        raise DomainError("INVALID", None, WRONG_CREDENTIALS)

    if account.status == "DISABLED":
        raise DomainError("NOT_ALLOWED", None, N_("This account is disabled."))
    if account.status == "PENDING":
        raise DomainError("INVALID_STATE", None, N_(
            "Finish creating your account first: confirm your email and your mobile number."))
    if account.is_staff and not account.totp_secret:
        await audit.record("signin.refused_no_totp", actor=account, ip=ctx.ip)
        raise DomainError("NOT_ALLOWED", None, N_(
            "Staff accounts must sign in with an authenticator app. Ask an admin to set one "
            "up."))

    async with in_transaction():
        await Account.filter(id=account.id).update(failed_logins=0)
        if account.totp_secret:
            challenge = await OneTimeCode.create(
                account=account, purpose=one_time_codes.TOTP_LOGIN, channel="TOTP", code_hmac="",
                expires_at=clock.now() + one_time_codes.CODE_LIFETIME)
        else:
            challenge = await _sms_challenge(ctx, account)
        await audit.record("signin.password_ok", actor=account, ip=ctx.ip,
                           channel=challenge.channel)
    return challenge


async def _sms_challenge(ctx: Caller, account: Account) -> OneTimeCode:
    """A second sign-in inside the resend cooldown gets the code already sent, not a
    refusal and not another SMS."""
    live = await OneTimeCode.filter(
        account_id=account.id, purpose=one_time_codes.LOGIN, used_at=None,
        created_at__gte=clock.now() - one_time_codes.RESEND_COOLDOWN,
        attempts__lt=one_time_codes.MAX_WRONG,
    ).order_by("-created_at").first()
    if live is not None:
        return live
    await one_time_codes.check_resend_allowed(account, one_time_codes.LOGIN, account.mobile)
    return await send_mobile_code(ctx, account, one_time_codes.LOGIN, account.mobile)


def _throttle_wait(account: Account) -> int | None:
    delay = failure_delay(account.failed_logins)
    if not delay or account.last_failed_login_at is None:
        return None
    ready = account.last_failed_login_at + delay
    moment = clock.now()
    return int((ready - moment).total_seconds()) + 1 if ready > moment else None


async def _count_failure(ctx: Caller, account: Account) -> None:
    failures = account.failed_logins + 1
    locked = failures >= LOCK_AFTER
    await Account.filter(id=account.id).update(
        failed_logins=failures, last_failed_login_at=clock.now(),
        locked_at=clock.now() if locked else None)
    await audit.record("signin.locked" if locked else "signin.failed", actor=account,
                       ip=ctx.ip, failures=failures)


async def verify_login(ctx: Caller, challenge_id: str, code: str) -> tuple[str, Account]:
    wanted = as_uuid(challenge_id)
    challenge = await OneTimeCode.get_or_none(id=wanted).select_related("account") \
        if wanted else None
    if challenge is None or challenge.purpose not in (one_time_codes.LOGIN,
                                                      one_time_codes.TOTP_LOGIN):
        raise DomainError("NOT_FOUND", "challengeId",
                          N_("This sign-in has expired. Start again."))
    account = challenge.account
    if challenge.purpose == one_time_codes.TOTP_LOGIN:
        await _check_totp(challenge, account, code)
    else:
        await one_time_codes.check_code(ctx.settings.secret_key, challenge, code)
    if account.locked_at is not None or account.status != "ACTIVE":
        raise DomainError("NOT_ALLOWED", None, N_("This account cannot sign in now."))

    async with in_transaction():
        if ctx.session is not None:  # a new session at every sign-in: no fixation
            await sessions.end_session(ctx.session)
        token = await sessions.open_session(account, ctx.ip, ctx.user_agent)
        await audit.record("signin.succeeded", actor=account, ip=ctx.ip,
                           channel=challenge.channel)
    ctx.set_session_token = token
    return token, account


async def _check_totp(challenge: OneTimeCode, account: Account, code: str) -> None:
    if challenge.used_at is not None or challenge.expires_at <= clock.now() \
            or challenge.attempts >= one_time_codes.MAX_WRONG:
        raise DomainError("EXPIRED", "code", N_("This sign-in has expired. Start again."))
    step = otp.totp_match(account.totp_secret or "", (code or "").strip(), time.time(),
                          account.totp_last_step)
    if step is None:
        attempts = challenge.attempts + 1
        await OneTimeCode.filter(id=challenge.id).update(attempts=attempts)
        left = one_time_codes.MAX_WRONG - attempts
        if left <= 0:
            raise DomainError("EXPIRED", "code", N_("Too many wrong codes. Start again."))
        raise DomainError("INVALID", "code",
                          N_("The code is not right. %(left)s tries left."), left=left)
    # Each authenticator code works once, even inside its 30 seconds.
    used = await Account.filter(id=account.id, totp_last_step__lt=step) \
        .update(totp_last_step=step)
    spent = await OneTimeCode.filter(id=challenge.id,
                                     used_at=None).update(used_at=clock.now())
    if not (used and spent):
        raise DomainError("EXPIRED", "code", N_("This code was already used. Wait for the "
                                                "next one."))


async def logout(ctx: Caller) -> None:
    if ctx.session is not None:
        await sessions.end_session(ctx.session)
        await audit.record("signout", actor=ctx.account, ip=ctx.ip)
    ctx.clear_session = True


async def request_password_reset(ctx: Caller, email: str) -> None:
    """Answers the same whether or not an account exists."""
    try:
        email = account_email(email or "")
    except ValueError as error:
        raise DomainError("INVALID", "email",
                          N_("Enter an email address like name@example.com.")) from error
    await limits.limit(f"reset:{email}", 3, dt.timedelta(hours=1), "email")
    await limits.limit(f"reset:ip:{ctx.ip}", 20, dt.timedelta(hours=1), "email")
    account = await Account.get_or_none(email=email)
    if account is None:
        return
    async with in_transaction():
        token = await one_time_codes.issue_token(ctx.settings.secret_key, account,
                                                 one_time_codes.PASSWORD_RESET,
                                        account.email, one_time_codes.RESET_LIFETIME)
        await notify.email(ctx.settings, account.email, account.language, "reset_password",
                           name=account.first_name,
                           link=f"{ctx.settings.base_url}/password/reset?token={token}")


async def reset_password(ctx: Caller, token: str, password: str, confirmation: str) -> Account:
    problems = Problems()
    check_new_password(problems, "password", password, confirmation, "passwordConfirmation", [])
    problems.raise_if_any()
    async with in_transaction():
        row = await one_time_codes.take_token(ctx.settings.secret_key,
                                              one_time_codes.PASSWORD_RESET, token)
        account = await Account.get(id=row.account_id)
        problems = Problems()
        check_new_password(problems, "password", password, None, None,
                           await personal_words(account))
        problems.raise_if_any()
        account.password_hash = await hash_password(password)
        account.failed_logins = 0
        account.locked_at = None
        # The link proves the email: a pending account's email is now verified too.
        account.email_verified_at = account.email_verified_at or clock.now()
        await account.save(update_fields=["password_hash", "failed_logins", "locked_at",
                                          "email_verified_at"])
        await Session.filter(account_id=account.id).delete()
        await audit.record("password.reset", actor=account, ip=ctx.ip)
        await notify.email(ctx.settings, account.email, account.language, "password_changed",
                           name=account.first_name)
    return account
