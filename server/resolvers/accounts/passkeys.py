"""Passkeys (WebAuthn): added from account security, used to sign in alone.

A passkey is both factors: the device holds the key (something you have) and unlocks it
only after a fingerprint, face or PIN (user verification, required here). So signing in
with one opens a session exactly as verifyLogin does, and staff may use one instead of an
authenticator app. Every challenge is kept on the server, used once, for 5 minutes; a
registration challenge belongs to the account and the session that asked for it. The
relying party is the host of BASE_URL, the origin BASE_URL itself."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from server import clock
from server.domain.errors import DomainError
from server.i18n import N_
from server.models.accounts import Account, Passkey, PasskeyChallenge
from server.resolvers.accounts import signin
from server.resolvers.accounts.security import _check_current_password
from server.resolvers.kernel import audit, limits, notify
from server.resolvers.kernel.access import require_account
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid

REGISTER = "REGISTER"
SIGN_IN = "SIGN_IN"
LIFETIME = dt.timedelta(minutes=5)
MAX_PASSKEYS = 10
MAX_NAME = 60
MAX_CREDENTIAL = 32 * 1024  # a real response is a few KiB; anything larger is not one
TRANSPORTS = {"ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"}
RP_NAME = "Sijil"

EXPIRED = N_("This passkey request has expired. Start again.")
NOT_ACCEPTED = N_("The passkey was not accepted. Try again, or sign in with your password.")
NEW_NOT_ACCEPTED = N_("The new passkey was not accepted. Try again.")


def relying_party(settings) -> tuple[str, str]:
    """(RP id, origin): a passkey works only on the site it was made for."""
    parts = urlsplit(settings.base_url)
    return parts.hostname or "", f"{parts.scheme}://{parts.netloc}"


async def _new_challenge(purpose: str, account: Account | None = None,
                         session_id: int | None = None) -> PasskeyChallenge:
    moment = clock.now()
    # Old challenges are worth nothing: they go as new ones come (an indexed delete).
    await PasskeyChallenge.filter(expires_at__lt=moment).delete()
    return await PasskeyChallenge.create(
        purpose=purpose, account=account, session_id=session_id,
        challenge=bytes_to_base64url(secrets.token_bytes(32)), expires_at=moment + LIFETIME)


async def _take_challenge(ctx: Caller, challenge_id: str, purpose: str) -> PasskeyChallenge:
    """The challenge, spent: a second try with it (or a replayed response) finds nothing."""
    wanted = as_uuid(challenge_id)
    row = await PasskeyChallenge.get_or_none(id=wanted, purpose=purpose) if wanted else None
    if row is not None and purpose == REGISTER and (
            row.account_id != ctx.account.id or row.session_id != ctx.session.id):
        row = None
    if row is None or row.expires_at <= clock.now() or not await PasskeyChallenge.filter(
            id=row.id, used_at=None).update(used_at=clock.now()):
        raise DomainError("EXPIRED", "challengeId", EXPIRED)
    return row


def _credential(credential: str, refusal: str = NOT_ACCEPTED) -> dict:
    try:
        value = json.loads(credential) if len(credential) <= MAX_CREDENTIAL else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise DomainError("INVALID", "credential", refusal)
    return value


# ------------------------------------------------------------------ registration

async def start_registration(ctx: Caller) -> tuple[PasskeyChallenge, str]:
    """The options for navigator.credentials.create(), as JSON."""
    account = require_account(ctx)
    await limits.limit(f"passkey-add:{account.id}", 20, dt.timedelta(minutes=15))
    existing = await Passkey.filter(account_id=account.id).values_list("credential_id",
                                                                       flat=True)
    if len(existing) >= MAX_PASSKEYS:
        raise DomainError("NOT_ALLOWED", None, N_(
            "You have %(count)s passkeys, the most an account can have. Remove one first."),
            count=MAX_PASSKEYS)
    row = await _new_challenge(REGISTER, account, ctx.session.id)
    rp_id, _ = relying_party(ctx.settings)
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=account.id.bytes, user_name=account.email,
        user_display_name=f"{account.first_name} {account.family_name}".strip(),
        challenge=base64url_to_bytes(row.challenge),
        timeout=int(LIFETIME.total_seconds() * 1000),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        # The same device twice would be one key under two names.
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c))
                             for c in existing])
    return row, options_to_json(options)


async def finish_registration(ctx: Caller, challenge_id: str, name: str,
                              credential: str) -> Passkey:
    account = require_account(ctx)
    name = " ".join((name or "").split())
    if len(name) > MAX_NAME:
        raise DomainError("INVALID", "name", N_("Use at most %(count)s characters."),
                          count=MAX_NAME)
    row = await _take_challenge(ctx, challenge_id, REGISTER)
    response = _credential(credential, NEW_NOT_ACCEPTED)
    rp_id, origin = relying_party(ctx.settings)
    try:
        verified = verify_registration_response(
            credential=response, expected_challenge=base64url_to_bytes(row.challenge),
            expected_rp_id=rp_id, expected_origin=origin, require_user_verification=True)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        await audit.record("factor.passkey_refused", actor=account, ip=ctx.ip,
                           reason=str(error)[:200])
        raise DomainError("INVALID", "credential", NEW_NOT_ACCEPTED) from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if await Passkey.exists(credential_id=credential_id):
        raise DomainError("TAKEN", "credential", N_("This passkey is already added."))
    transports = (response.get("response") or {}).get("transports") or []
    async with in_transaction():
        passkey = await Passkey.create(
            account=account, credential_id=credential_id,
            public_key=verified.credential_public_key, sign_count=verified.sign_count,
            transports=",".join(t for t in transports if t in TRANSPORTS)[:200], name=name)
        await audit.record("factor.passkey_added", actor=account, ip=ctx.ip,
                           target_type="passkey", target_id=passkey.id, name=name)
        await notify.email(ctx.settings, account.email, account.language, "security_notice",
                           name=account.first_name,
                           change=N_("A passkey was added to your account."))
    return passkey


async def my_passkeys(ctx: Caller) -> list[Passkey]:
    account = require_account(ctx)
    return await Passkey.filter(account_id=account.id).order_by("created_at")


async def remove_passkey(ctx: Caller, passkey_id: str, password: str) -> None:
    """Needs the password, as every other change of a sign-in factor does: a session left
    open on a shared computer must not be enough to take a factor away (or, for staff,
    to leave the account with none)."""
    account = require_account(ctx)
    wanted = as_uuid(passkey_id)
    passkey = await Passkey.get_or_none(id=wanted, account_id=account.id) if wanted else None
    if passkey is None:
        raise DomainError("NOT_FOUND", "passkeyId")
    await _check_current_password(ctx, account, password, "password")
    if account.is_staff and not account.totp_secret \
            and await Passkey.filter(account_id=account.id).count() <= 1:
        raise DomainError("NOT_ALLOWED", None, N_(
            "Staff accounts must keep an authenticator app or a passkey. Set up the app "
            "before you remove your last passkey."))
    async with in_transaction():
        await Passkey.filter(id=passkey.id).delete()
        await audit.record("factor.passkey_removed", actor=account, ip=ctx.ip,
                           target_type="passkey", target_id=passkey.id, name=passkey.name)
        await notify.email(ctx.settings, account.email, account.language, "security_notice",
                           name=account.first_name,
                           change=N_("A passkey was removed from your account."))


# ------------------------------------------------------------------ signing in

async def start_sign_in(ctx: Caller) -> tuple[PasskeyChallenge, str]:
    """Options for navigator.credentials.get() naming no account: the device offers the
    passkeys it holds for this site (discoverable credentials)."""
    await limits.limit(f"passkey-signin:ip:{ctx.ip}", 60, dt.timedelta(minutes=5))
    row = await _new_challenge(SIGN_IN)
    rp_id, _ = relying_party(ctx.settings)
    options = generate_authentication_options(
        rp_id=rp_id, challenge=base64url_to_bytes(row.challenge),
        timeout=int(LIFETIME.total_seconds() * 1000),
        user_verification=UserVerificationRequirement.REQUIRED)
    return row, options_to_json(options)


async def finish_sign_in(ctx: Caller, challenge_id: str,
                         credential: str) -> tuple[str, Account]:
    row = await _take_challenge(ctx, challenge_id, SIGN_IN)
    response = _credential(credential)
    try:
        parsed = parse_authentication_credential_json(response)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise DomainError("INVALID", "credential", NOT_ACCEPTED) from error
    passkey = await Passkey.get_or_none(credential_id=bytes_to_base64url(parsed.raw_id)) \
        .select_related("account")
    if passkey is None or (parsed.response.user_handle is not None
                           and parsed.response.user_handle != passkey.account.id.bytes):
        await audit.record("signin.passkey_failed", ip=ctx.ip, reason="unknown passkey")
        raise DomainError("INVALID", "credential", NOT_ACCEPTED)
    account = passkey.account
    rp_id, origin = relying_party(ctx.settings)
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=base64url_to_bytes(row.challenge),
            expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=True)
    except WebAuthnException as error:
        await audit.record("signin.passkey_failed", actor=account, ip=ctx.ip,
                           target_type="passkey", target_id=passkey.id,
                           reason=str(error)[:200])
        raise DomainError("INVALID", "credential", NOT_ACCEPTED) from error
    if account.locked_at is not None or account.status != "ACTIVE":
        await audit.record("signin.refused_locked" if account.locked_at else
                           "signin.refused_inactive", actor=account, ip=ctx.ip,
                           channel="PASSKEY")
        raise DomainError("NOT_ALLOWED", None, N_("This account cannot sign in now."))
    # Conditional on the counter read: of two sign-ins racing with one response, one wins.
    if not await Passkey.filter(id=passkey.id, sign_count=passkey.sign_count).update(
            sign_count=verified.new_sign_count, last_used_at=clock.now()):
        raise DomainError("INVALID", "credential", NOT_ACCEPTED)
    return await signin.signed_in(ctx, account, "PASSKEY"), account
