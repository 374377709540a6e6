"""Organisations and their API keys (admins issue and revoke them), and how a request
authenticates with one: `Authorization: Bearer sjk_…`, beside session tokens.

A key's secret is shown once and only its SHA-256 is stored (the secret is 256 random
bits, so a fast hash is enough: there is nothing to guess). Revocation is checked on every
request, so it works at once. `last_used_at` is written at most once a minute per key, so
a busy key does not turn every read into a write."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from tortoise.transactions import in_transaction

from server import clock
from server.domain.errors import AccessDenied, DomainError, Problems
from server.i18n import N_
from server.models.employers import ApiKey, Organization
from server.resolvers.kernel import audit
from server.resolvers.kernel.access import require_role
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid

KEY_PREFIX = "sjk_"
SCOPES = ("REGISTER_READ", "WATCH")
TOUCH_EVERY = dt.timedelta(seconds=60)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def require_admin(ctx: Caller):
    return require_role(ctx, "ADMIN")


def parse_uuid(value, field: str):
    """An id from the caller, or NOT_FOUND on `field`."""
    found = as_uuid(value)
    if found is None:
        raise DomainError("NOT_FOUND", field)
    return found


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_api_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX)


# ------------------------------------------------------------------ admins

def _text(value, field: str, problems: Problems, limit: int = 200) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        problems.add("REQUIRED", field)
    elif len(text) > limit:
        problems.add("INVALID", field, N_("At most %(count)s characters."), count=limit)
    return text


async def create_organization(ctx: Caller, name_ar, name_en, contact_email) -> Organization:
    admin = require_admin(ctx)
    problems = Problems()
    name_ar = _text(name_ar, "nameAr", problems)
    name_en = _text(name_en, "nameEn", problems)
    email = _text(contact_email, "contactEmail", problems, 254).lower()
    if email and not EMAIL.match(email):
        problems.add("INVALID", "contactEmail", N_("Enter an email address like "
                                                   "name@example.com."))
    problems.raise_if_any()
    async with in_transaction():
        organization = await Organization.create(name_ar=name_ar, name_en=name_en,
                                                 contact_email=email)
        await audit.record("admin.organization_created", actor=admin,
                           target_type="organization", target_id=organization.id, ip=ctx.ip)
    return organization


async def list_organizations(ctx: Caller) -> list[Organization]:
    require_admin(ctx)
    return list(await Organization.all().order_by("name_en").limit(500))


async def organization(ctx: Caller, organization_id) -> Organization | None:
    """None for an id that is no organisation's, well-formed or not (a page answers 404)."""
    require_admin(ctx)
    found = as_uuid(organization_id)
    return await Organization.get_or_none(id=found) if found else None


async def keys_of(organization_ids: list) -> list[list[ApiKey]]:
    """DataLoader batch: the keys of each organisation, newest first."""
    rows = await ApiKey.filter(organization_id__in=organization_ids).order_by("-created_at")
    by_org: dict = {key: [] for key in organization_ids}
    for row in rows:
        by_org[row.organization_id].append(row)
    return [by_org[key] for key in organization_ids]


async def create_api_key(ctx: Caller, organization_id, name, scopes) -> tuple[ApiKey, str]:
    admin = require_admin(ctx)
    problems = Problems()
    name = _text(name, "name", problems, 100)
    scopes = sorted(set(scopes or []))
    if not scopes:
        problems.add("REQUIRED", "scopes", N_("Choose at least one scope."))
    elif any(s not in SCOPES for s in scopes):
        problems.add("INVALID", "scopes")
    problems.raise_if_any()
    found = await Organization.get_or_none(id=parse_uuid(organization_id, "organizationId"))
    if found is None:
        raise DomainError("NOT_FOUND", "organizationId")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction():
        key = await ApiKey.create(organization=found, name=name, scopes=",".join(scopes),
                                  prefix=secret[:12], secret_hash=hash_secret(secret))
        await audit.record("admin.api_key_created", actor=admin, target_type="api_key",
                           target_id=key.id, ip=ctx.ip, organization=str(found.id),
                           prefix=key.prefix, scopes=key.scopes)
    return key, secret


async def revoke_api_key(ctx: Caller, api_key_id) -> ApiKey:
    admin = require_admin(ctx)
    key = await ApiKey.get_or_none(id=parse_uuid(api_key_id, "apiKeyId"))
    if key is None:
        raise DomainError("NOT_FOUND", "apiKeyId")
    if key.revoked_at is not None:
        raise DomainError("INVALID_STATE", "apiKeyId", N_("This key is already revoked."))
    async with in_transaction():
        moment = clock.now()
        await ApiKey.filter(id=key.id, revoked_at=None).update(revoked_at=moment)
        await audit.record("admin.api_key_revoked", actor=admin, target_type="api_key",
                           target_id=key.id, ip=ctx.ip, prefix=key.prefix)
    key.revoked_at = moment
    return key


# ------------------------------------------------------------------ requests with a key

async def find_api_key(secret: str) -> ApiKey | None:
    """The live key with this secret, or None (unknown or revoked)."""
    key = await ApiKey.get_or_none(secret_hash=hash_secret(secret), revoked_at=None)
    if key is None:
        return None
    moment = clock.now()
    if key.last_used_at is None or moment - key.last_used_at >= TOUCH_EVERY:
        await ApiKey.filter(id=key.id).update(last_used_at=moment)
        key.last_used_at = moment
    return key


def require_api_key(ctx: Caller, scope: str) -> ApiKey:
    """The calling key, holding `scope`. A signed-in person is not a key: FORBIDDEN."""
    key = getattr(ctx, "api_key", None)
    if key is None:
        raise AccessDenied("FORBIDDEN" if ctx.account is not None else "UNAUTHENTICATED")
    if scope not in key.scope_list:
        raise AccessDenied("FORBIDDEN")
    return key
