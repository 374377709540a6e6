"""Creating an account: captcha, email link and SMS code. The account is PENDING until both
the email and the mobile number are verified."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import clock
from server.domain.errors import DomainError, Problems
from server.domain.identity import normalize_email, normalize_saudi_mobile
from server.domain.passwords import password_problem
from server.i18n import N_
from server.integrations import captcha
from server.models.accounts import Account, OneTimeCode, UsedCaptcha
from server.models.practitioners import Practitioner
from server.resolvers.accounts import one_time_codes
from server.resolvers.kernel import audit, limits, notify
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid

hasher = PasswordHasher()  # argon2id with the library's defaults

PASSWORD_MESSAGES = {
    "REQUIRED": N_("Enter a password."),
    "TOO_SHORT": N_("Use at least 12 characters."),
    "TOO_LONG": N_("Use at most 128 characters."),
    "COMMON": N_("This password is too common. Choose one that is harder to guess."),
    "PERSONAL": N_("Do not use your name, email or identity number in your password."),
    "KEYBOARD": N_("Keyboard patterns like qwerty or asdf are easy to guess. Use a few "
                   "words instead."),
    "REPEAT": N_("Repeated words or characters are easy to guess. Use a few different "
                 "words."),
    "SEQUENCE": N_("Sequences like abc or 6543 are easy to guess. Use a few words instead."),
    "DATE": N_("Dates and years are easy to guess. Use a few words instead."),
    "WORDS": N_("A common word or name on its own is easy to guess. Add another word or "
                "two; uncommon words are better."),
    "GUESSABLE": N_("This password is easy to guess. Add another word or two; uncommon "
                    "words are better."),
}


def _lower_hashing_priority() -> None:
    """The hashing thread, and the lane threads argon2 starts from it (they inherit it),
    run under Linux's SCHED_IDLE policy: they take the CPU the event loop leaves over and
    give it back the moment the loop wakes, so a burst of sign-ins waits a little longer
    instead of slowing every other request (benchmark S5: 0.77–0.83 of S1's throughput
    with SCHED_IDLE, 0.65–0.69 with nice 19, 0.29 at normal priority). They are not
    starved: SCHED_IDLE keeps a small weight of its own when the cores are all busy."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # 0: this thread
    except (AttributeError, OSError):  # not Linux, or refused: the lowest nice value instead
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


# One hashing thread per process: argon2id already uses several lanes of its own, and more
# concurrent hashes would only crowd out the event loop (benchmark S5).
HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2",
                             initializer=_lower_hashing_priority)


async def hash_password(password: str) -> str:
    """Off the event loop: argon2id takes ~80 ms of CPU, and the loop must keep serving."""
    return await asyncio.get_running_loop().run_in_executor(HASHING, hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return hasher.verify(password_hash, password)
        except Exception:
            return False

    return await asyncio.get_running_loop().run_in_executor(HASHING, check)


def account_email(text: str) -> str:
    """Accounts compare email addresses case-insensitively: Sara@x.com is sara@x.com."""
    return normalize_email(text).lower()


async def personal_words(account) -> list[str]:
    """What a password may not contain: the account's names and email, and the identity
    number of the record it is linked to (registration knows no identity number yet)."""
    words = [account.first_name, account.family_name, account.email]
    identity = await Practitioner.filter(account_id=account.id).first() \
        .values_list("identity_number", flat=True)
    return [*words, identity] if identity else words


def check_new_password(problems: Problems, field: str, password: str, confirmation: str | None,
                       confirmation_field: str | None, personal: list[str]) -> None:
    problem = password_problem(password, personal)
    if problem:
        problems.add("REQUIRED" if problem == "REQUIRED" else "TOO_WEAK", field,
                     PASSWORD_MESSAGES[problem])
    elif confirmation_field is not None and password != confirmation:
        problems.add("MISMATCH", confirmation_field, N_("The passwords do not match."))


async def register_account(ctx: Caller, data: dict) -> Account:
    problems = Problems()
    first_name = (data.get("first_name") or "").strip()
    family_name = (data.get("family_name") or "").strip()
    if not first_name:
        problems.add("REQUIRED", "firstName", N_("Enter your first name."))
    elif len(first_name) > 100:
        problems.add("INVALID", "firstName", N_("Use at most 100 characters."))
    if not family_name:
        problems.add("REQUIRED", "familyName", N_("Enter your family name."))
    elif len(family_name) > 100:
        problems.add("INVALID", "familyName", N_("Use at most 100 characters."))

    email = ""
    raw_email = (data.get("email") or "").strip()
    if not raw_email:
        problems.add("REQUIRED", "email", N_("Enter your email address."))
    else:
        try:
            email = account_email(raw_email)
        except ValueError:
            problems.add("INVALID", "email",
                         N_("Enter an email address like name@example.com."))
    confirmation = (data.get("email_confirmation") or "").strip()
    if email and not confirmation:
        problems.add("REQUIRED", "emailConfirmation", N_("Enter your email address again."))
    elif email and confirmation.casefold() != raw_email.casefold():
        problems.add("MISMATCH", "emailConfirmation", N_("The email addresses do not match."))

    check_new_password(problems, "password", data.get("password") or "",
                       data.get("password_confirmation"), "passwordConfirmation",
                       [first_name, family_name, email])

    mobile = ""
    raw_mobile = (data.get("mobile") or "").strip()
    if not raw_mobile:
        problems.add("REQUIRED", "mobile", N_("Enter your mobile number."))
    else:
        try:
            mobile = normalize_saudi_mobile(raw_mobile)
        except ValueError:
            problems.add("INVALID", "mobile",
                         N_("Enter a Saudi mobile number like 05XXXXXXXX."))
    if not data.get("accept_terms"):
        problems.add("REQUIRED", "acceptTerms", N_("Accept the terms to continue."))

    # A hospital network or a carrier's NAT is one address for many: past 20 sign-ups an
    # hour it is slowed (a growing delay), not shut out; each email and mobile has a hard cap.
    await limits.pace(f"register:ip:{ctx.ip}", 20, dt.timedelta(hours=1),
                         dt.timedelta(seconds=5), dt.timedelta(minutes=5))
    # The captcha is spent only on an otherwise valid form, so fixing a typo needs no new one.
    if problems:
        problems.raise_if_any()
    await spend_captcha(ctx, data.get("captcha") or "")
    # Only now may we say an address is taken (docs/security.md), and not too often.
    await limits.limit(f"register:email:{email}", 5, dt.timedelta(hours=1), "email")
    await limits.limit(f"register:mobile:{mobile}", 3, dt.timedelta(days=1), "mobile")
    if await Account.exists(email=email):
        raise DomainError("TAKEN", "email", N_(
            "An account with this email address already exists. Sign in, or reset your "
            "password."))
    await refuse_confirmed_mobile(mobile, "mobile")

    password_hash = await hash_password(data["password"])
    try:
        async with in_transaction():
            account = await Account.create(
                email=email, mobile=mobile, first_name=first_name, family_name=family_name,
                password_hash=password_hash, language=ctx.lang)
            await send_email_link(ctx, account)
            await send_mobile_code(ctx, account, one_time_codes.REGISTRATION, mobile)
            await audit.record("account.registered", actor=account, target_type="account",
                               target_id=account.id, ip=ctx.ip)
    except IntegrityError as error:
        raise DomainError("TAKEN", "email", N_(
            "An account with this email address already exists. Sign in, or reset your "
            "password.")) from error
    return account


# The question asked without JavaScript costs a robot nothing to answer, so its answers are
# counted per address (right or wrong) on top of the pacing every sign-up gets.
QUESTIONS_PER_HOUR = 10


async def spend_captcha(ctx: Caller, payload: str) -> None:
    if payload.startswith(captcha.QUESTION_PREFIX):
        await limits.limit(f"register:question:ip:{ctx.ip}", QUESTIONS_PER_HOUR,
                           dt.timedelta(hours=1), "captcha")
        solved = captcha.verify_answer(payload, ctx.settings.secret_key)
    else:
        solved = captcha.verify(payload, ctx.settings.secret_key)
    if solved is None and payload.startswith(captcha.QUESTION_PREFIX):
        raise DomainError("CAPTCHA_FAILED", "captcha", N_(
            "The answer to the sum is not right, or the question has expired. Answer the "
            "new question."))
    if solved is None:
        raise DomainError("CAPTCHA_FAILED", "captcha")
    signature, expires_at = solved
    try:
        await UsedCaptcha.create(signature=signature, expires_at=expires_at)
    except IntegrityError as error:
        raise DomainError("CAPTCHA_FAILED", "captcha") from error
    await UsedCaptcha.filter(expires_at__lt=clock.now()).delete()


async def refuse_confirmed_mobile(mobile: str, field: str, account_id=None) -> None:
    """One confirmed mobile number per account: codes and sign-in go to it. Said only to
    a caller who proved something (a solved captcha, a password, the code sent to it)."""
    taken = Account.filter(mobile=mobile, mobile_verified_at__isnull=False)
    if account_id is not None:
        taken = taken.exclude(id=account_id)
    if await taken.exists():
        raise DomainError("TAKEN", field, N_(
            "This mobile number is already confirmed on another account. Sign in to that "
            "account, or use another number."))


async def send_email_link(ctx: Caller, account: Account) -> None:
    token = await one_time_codes.issue_token(ctx.settings.secret_key, account,
                                             one_time_codes.EMAIL_CONFIRM,
                                             account.email, one_time_codes.LINK_LIFETIME)
    await notify.email(ctx.settings, account.email, account.language, "confirm_email",
                       name=account.first_name,
                       link=f"{ctx.settings.base_url}/register/confirm?token={token}")


async def send_mobile_code(ctx: Caller, account: Account, purpose: str, mobile: str) -> OneTimeCode:
    row, code = await one_time_codes.issue_code(ctx.settings.secret_key, account, purpose, mobile)
    await notify.sms(mobile, account.language,
                     N_("Sijil: your code is %(code)s. It expires in 5 minutes. "
                        "Never share it."), private=True, code=code)
    return row


async def account_by_id(account_id: str) -> Account | None:
    wanted = as_uuid(account_id)
    return await Account.get_or_none(id=wanted) if wanted else None


async def pending_account(account_id: str) -> Account | None:
    """An account still in sign-up (its email or mobile not verified yet)."""
    wanted = as_uuid(account_id)
    return await Account.get_or_none(id=wanted, status="PENDING") if wanted else None


async def confirm_email(ctx: Caller, token: str) -> Account:
    async with in_transaction():
        row = await one_time_codes.take_token(ctx.settings.secret_key,
                                              one_time_codes.EMAIL_CONFIRM, token)
        account = await Account.get(id=row.account_id)
        if row.target != account.email:
            raise DomainError("EXPIRED", "token",
                              N_("This link has expired or was already used. Ask for a new one."))
        account.email_verified_at = account.email_verified_at or clock.now()
        activate_if_verified(account)
        await account.save(update_fields=["email_verified_at", "status"])
        await audit.record("account.email_verified", actor=account, target_type="account",
                           target_id=account.id, ip=ctx.ip)
    return account


async def resend_confirmation_email(ctx: Caller, email: str) -> None:
    """Answers the same whether or not the address has an account."""
    try:
        email = account_email(email)
    except ValueError as error:
        raise DomainError("INVALID", "email",
                          N_("Enter an email address like name@example.com.")) from error
    await limits.limit(f"confirm-resend:{email}", 3, dt.timedelta(hours=1), "email")
    account = await Account.get_or_none(email=email, email_verified_at=None)
    if account is not None:
        async with in_transaction():
            await send_email_link(ctx, account)


async def verify_mobile(ctx: Caller, account_id: str, code: str) -> Account:
    account = await account_by_id(account_id)
    if account is None:
        raise DomainError("NOT_FOUND", "accountId")
    row = await OneTimeCode.filter(account_id=account.id, purpose=one_time_codes.REGISTRATION) \
        .order_by("-created_at").first()
    await one_time_codes.check_code(ctx.settings.secret_key, row, code)
    await refuse_confirmed_mobile(account.mobile, "mobile", account.id)
    async with in_transaction():
        account.mobile_verified_at = account.mobile_verified_at or clock.now()
        activate_if_verified(account)
        await account.save(update_fields=["mobile_verified_at", "status"])
        await audit.record("account.mobile_verified", actor=account, target_type="account",
                           target_id=account.id, ip=ctx.ip)
    return account


async def resend_mobile_code(ctx: Caller, account_id: str) -> None:
    account = await account_by_id(account_id)
    if account is None:
        raise DomainError("NOT_FOUND", "accountId")
    if account.mobile_verified_at is not None:
        raise DomainError("INVALID_STATE", None, N_("This mobile number is already verified."))
    await one_time_codes.check_resend_allowed(account, one_time_codes.REGISTRATION, account.mobile)
    async with in_transaction():
        await send_mobile_code(ctx, account, one_time_codes.REGISTRATION, account.mobile)


def activate_if_verified(account: Account) -> None:
    if account.status == "PENDING" and account.email_verified_at and account.mobile_verified_at:
        account.status = "ACTIVE"
