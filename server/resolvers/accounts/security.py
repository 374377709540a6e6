"""The account security page: password, authenticator app, email and mobile, sessions.
Passkeys are in server/resolvers/accounts/passkeys.py; a staff account that has one may
remove its authenticator app."""

from __future__ import annotations

import datetime as dt
import time

from tortoise.transactions import in_transaction

from server import clock
from server.domain import otp
from server.domain.errors import DomainError, Problems
from server.domain.identity import normalize_saudi_mobile
from server.i18n import LANGUAGES, N_
from server.models.accounts import Account, OneTimeCode, Passkey, Session
from server.resolvers.accounts import one_time_codes, sessions
from server.resolvers.accounts.signup import (
    account_email,
    check_new_password,
    hash_password,
    personal_words,
    refuse_confirmed_mobile,
    send_mobile_code,
    verify_password,
)
from server.resolvers.kernel import audit, limits, notify
from server.resolvers.kernel.access import require_account
from server.resolvers.kernel.caller import Caller


async def _check_current_password(ctx: Caller, account: Account, password: str,
                                  field: str = "currentPassword") -> None:
    await limits.limit(f"reauth:{account.id}", 10, dt.timedelta(minutes=15), field)
    if not password:
        raise DomainError("REQUIRED", field, N_("Enter your current password."))
    if not await verify_password(account.password_hash, password):
        await audit.record("reauth.failed", actor=account, ip=ctx.ip)
        raise DomainError("INVALID", field, N_("Your current password is not right."))


async def change_password(ctx: Caller, current: str, new: str, confirmation: str) -> Account:
    account = require_account(ctx)
    problems = Problems()
    check_new_password(problems, "newPassword", new, confirmation, "newPasswordConfirmation",
                       await personal_words(account))
    problems.raise_if_any()
    await _check_current_password(ctx, account, current)
    async with in_transaction():
        account.password_hash = await hash_password(new)
        account.must_change_password = False
        await account.save(update_fields=["password_hash", "must_change_password"])
        # Every other session ends: whoever knew the old password is out.
        await Session.filter(account_id=account.id).exclude(id=ctx.session.id).delete()
        await audit.record("password.changed", actor=account, ip=ctx.ip)
        await notify.email(ctx.settings, account.email, account.language, "password_changed",
                           name=account.first_name)
    return account


async def start_totp_enrolment(ctx: Caller) -> tuple[str, str]:
    """A new secret, kept pending until a code from the app confirms it."""
    account = require_account(ctx)
    secret = otp.new_totp_secret()
    await Account.filter(id=account.id).update(totp_pending_secret=secret)
    account.totp_pending_secret = secret
    return secret, otp.otpauth_uri(secret, account.email)


async def confirm_totp_enrolment(ctx: Caller, code: str) -> Account:
    account = require_account(ctx)
    if not account.totp_pending_secret:
        raise DomainError("INVALID_STATE", None, N_("Start setting up the app first."))
    await limits.limit(f"totp-enrol:{account.id}", 10, dt.timedelta(minutes=15), "code")
    step = otp.totp_match(account.totp_pending_secret, (code or "").strip(), time.time(), 0)
    if step is None:
        raise DomainError("INVALID", "code", N_("The code is not right. Check the app's clock "
                                                "and try the newest code."))
    async with in_transaction():
        await Account.filter(id=account.id).update(
            totp_secret=account.totp_pending_secret, totp_pending_secret=None,
            totp_last_step=step)
        # The caller's account object is what `me` answers from in the same request: the
        # page that re-renders the section after this mutation must see the app set up.
        account.totp_secret, account.totp_pending_secret = account.totp_pending_secret, None
        account.totp_last_step = step
        await audit.record("factor.totp_enrolled", actor=account, ip=ctx.ip)
        await notify.email(ctx.settings, account.email, account.language, "security_notice",
                           name=account.first_name,
                           change=N_("An authenticator app was set up for your account."))
    return await Account.get(id=account.id)


async def remove_totp(ctx: Caller, password: str) -> Account:
    account = require_account(ctx)
    if account.is_staff and not await Passkey.exists(account_id=account.id):
        raise DomainError("NOT_ALLOWED", None, N_(
            "Staff accounts must keep an authenticator app. Ask an admin to reset it."))
    if not account.totp_secret:
        raise DomainError("INVALID_STATE", None, N_("No authenticator app is set up."))
    await _check_current_password(ctx, account, password, "password")
    async with in_transaction():
        await Account.filter(id=account.id).update(totp_secret=None, totp_last_step=0)
        account.totp_secret, account.totp_last_step = None, 0  # see confirm_totp_enrolment
        await audit.record("factor.totp_removed", actor=account, ip=ctx.ip)
        await notify.email(ctx.settings, account.email, account.language, "security_notice",
                           name=account.first_name,
                           change=N_("The authenticator app was removed from your account. "
                                     "Sign-in codes now come by SMS."))
    return await Account.get(id=account.id)


async def request_email_change(ctx: Caller, new_email: str, password: str) -> None:
    """The new address takes effect only when the link sent to it is opened."""
    account = require_account(ctx)
    try:
        email = account_email(new_email or "")
    except ValueError as error:
        raise DomainError("INVALID", "newEmail",
                          N_("Enter an email address like name@example.com.")) from error
    if email == account.email:
        raise DomainError("INVALID", "newEmail", N_("This is already your email address."))
    await _check_current_password(ctx, account, password, "password")
    if await Account.exists(email=email):
        raise DomainError("TAKEN", "newEmail", N_("Another account uses this email address."))
    async with in_transaction():
        token = await one_time_codes.issue_token(ctx.settings.secret_key, account,
                                                 one_time_codes.EMAIL_CHANGE,
                                        email, one_time_codes.LINK_LIFETIME)
        await notify.email(ctx.settings, email, account.language, "confirm_email_change",
                           name=account.first_name,
                           link=f"{ctx.settings.base_url}/account/email/confirm?token={token}")


async def confirm_email_change(ctx: Caller, token: str) -> Account:
    async with in_transaction():
        row = await one_time_codes.take_token(ctx.settings.secret_key,
                                              one_time_codes.EMAIL_CHANGE, token)
        account = await Account.get(id=row.account_id)
        if await Account.exists(email=row.target):
            raise DomainError("TAKEN", "token", N_("Another account uses this email address."))
        old = account.email
        account.email = row.target
        account.email_verified_at = clock.now()
        await account.save(update_fields=["email", "email_verified_at"])
        await audit.record("account.email_changed", actor=account, ip=ctx.ip)
        await notify.email(ctx.settings, old, account.language, "security_notice",
                           name=account.first_name,
                           change=N_("The email address of your account was changed."))
    return account


async def request_mobile_change(ctx: Caller, new_mobile: str, password: str) -> None:
    account = require_account(ctx)
    try:
        mobile = normalize_saudi_mobile(new_mobile or "")
    except ValueError as error:
        raise DomainError("INVALID", "newMobile",
                          N_("Enter a Saudi mobile number like 05XXXXXXXX.")) from error
    if mobile == account.mobile:
        raise DomainError("INVALID", "newMobile", N_("This is already your mobile number."))
    await _check_current_password(ctx, account, password, "password")
    await refuse_confirmed_mobile(mobile, "newMobile", account.id)
    await one_time_codes.check_resend_allowed(account, one_time_codes.MOBILE_CHANGE, mobile)
    async with in_transaction():
        await send_mobile_code(ctx, account, one_time_codes.MOBILE_CHANGE, mobile)


async def confirm_mobile_change(ctx: Caller, code: str) -> Account:
    account = require_account(ctx)
    row = await OneTimeCode.filter(account_id=account.id, purpose=one_time_codes.MOBILE_CHANGE) \
        .order_by("-created_at").first()
    row = await one_time_codes.check_code(ctx.settings.secret_key, row, code)
    await refuse_confirmed_mobile(row.target, "code", account.id)  # confirmed meanwhile
    async with in_transaction():
        await Account.filter(id=account.id).update(mobile=row.target,
                                                   mobile_verified_at=clock.now())
        await audit.record("account.mobile_changed", actor=account, ip=ctx.ip)
        await notify.email(ctx.settings, account.email, account.language, "security_notice",
                           name=account.first_name,
                           change=N_("The mobile number of your account was changed."))
    return await Account.get(id=account.id)


async def my_sessions(ctx: Caller) -> list[Session]:
    account = require_account(ctx)
    return await Session.filter(account_id=account.id).order_by("-last_seen_at")


async def end_session(ctx: Caller, session_id: str) -> None:
    account = require_account(ctx)
    text = str(session_id)
    number = int(text) if text.isdigit() and len(text) <= 19 else 0
    session = None
    if 0 < number < 2**63:  # a bigint: anything else is simply unknown
        session = await Session.get_or_none(id=number, account_id=account.id)
    if session is None:
        raise DomainError("NOT_FOUND", "sessionId")
    await sessions.end_session(session)
    await audit.record("session.ended", actor=account, ip=ctx.ip, session=session.id)
    if ctx.session is not None and session.id == ctx.session.id:
        ctx.clear_session = True


async def set_language(ctx: Caller, language: str) -> None:
    account = require_account(ctx)
    if language not in LANGUAGES:
        raise DomainError("INVALID", "language")
    await Account.filter(id=account.id).update(language=language)
