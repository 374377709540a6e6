"""What an API key with scope WATCH does for its organisation: watch and unwatch
practitioners by registration number, list what it watches, set its one webhook endpoint,
and read its delivery log. A key only ever reaches its own organisation's rows."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction

from server.domain.applications import normalize_registration_number
from server.domain.errors import DomainError, Problems
from server.i18n import N_
from server.models.employers import WatchedPractitioner, WebhookDelivery, WebhookEndpoint
from server.models.practitioners import Registration
from server.resolvers.employers.events import EVENTS
from server.resolvers.employers.keys import require_api_key
from server.resolvers.kernel.caller import Caller

MAX_NUMBERS = 500  # per call


async def _registrations(numbers) -> tuple[list[Registration], list[str]]:
    """The registrations of `numbers` (one query), and the numbers that match none."""
    wanted = list(dict.fromkeys(normalize_registration_number(n) for n in numbers or []))
    wanted = [n for n in wanted if n]
    if not wanted:
        raise DomainError("REQUIRED", "registrationNumbers", N_(
            "Give at least one registration number."))
    if len(wanted) > MAX_NUMBERS:
        raise DomainError("INVALID", "registrationNumbers", N_(
            "At most %(count)s registration numbers at a time."), count=MAX_NUMBERS)
    found = list(await Registration.filter(number__in=wanted))
    known = {r.number for r in found}
    return found, [n for n in wanted if n not in known]


async def watch(ctx: Caller, numbers) -> list[Registration]:
    key = require_api_key(ctx, "WATCH")
    found, unknown = await _registrations(numbers)
    if unknown:  # nothing is watched until every number is known
        raise DomainError("NOT_FOUND", "registrationNumbers", N_(
            "No registration has these numbers: %(numbers)s."), numbers=", ".join(unknown))
    async with in_transaction():
        already = set(await WatchedPractitioner.filter(
            organization_id=key.organization_id,
            registration_id__in=[r.id for r in found]).values_list("registration_id",
                                                                   flat=True))
        await WatchedPractitioner.bulk_create(
            [WatchedPractitioner(organization_id=key.organization_id, registration_id=r.id)
             for r in found if r.id not in already], ignore_conflicts=True)
    return found


async def unwatch(ctx: Caller, numbers) -> None:
    key = require_api_key(ctx, "WATCH")
    found, _ = await _registrations(numbers)
    await WatchedPractitioner.filter(organization_id=key.organization_id,
                                     registration_id__in=[r.id for r in found]).delete()


async def watch_list(ctx: Caller, size: int, after_id: int | None) -> tuple[list, bool]:
    """One query: the watches with their registrations, in the order they were added."""
    key = require_api_key(ctx, "WATCH")
    query = WatchedPractitioner.filter(organization_id=key.organization_id)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    rows = list(await query.order_by("id").limit(size + 1).select_related("registration"))
    return rows[:size], len(rows) > size


def _url(value, problems: Problems) -> str:
    url = str(value or "").strip()
    parts = urlsplit(url)
    if not url:
        problems.add("REQUIRED", "url")
    elif len(url) > 500 or parts.scheme not in ("https", "http") or not parts.hostname:
        problems.add("INVALID", "url", N_("Enter the address that receives the events, "
                                          "starting with https://."))
    return url


async def set_endpoint(ctx: Caller, url, events) -> tuple[WebhookEndpoint, str]:
    """Replaces the organisation's endpoint; a new signing secret each time."""
    key = require_api_key(ctx, "WATCH")
    problems = Problems()
    url = _url(url, problems)
    chosen = [e for e in EVENTS if e in set(events or [])]
    if not chosen:
        problems.add("REQUIRED", "events", N_("Choose at least one event."))
    problems.raise_if_any()
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    endpoint, _ = await WebhookEndpoint.update_or_create(
        organization_id=key.organization_id,
        defaults={"url": url, "events": ",".join(chosen), "secret": secret})
    return endpoint, secret


async def my_endpoint(ctx: Caller) -> WebhookEndpoint | None:
    key = require_api_key(ctx, "WATCH")
    return await WebhookEndpoint.get_or_none(organization_id=key.organization_id)


async def deliveries(organization_id, size: int, before_id: int | None) -> tuple[list, bool]:
    """An organisation's delivery log, newest first (callers authorise)."""
    query = WebhookDelivery.filter(organization_id=organization_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    rows = list(await query.order_by("-id").limit(size + 1))
    return rows[:size], len(rows) > size


async def my_deliveries(ctx: Caller, size: int, before_id: int | None) -> tuple[list, bool]:
    key = require_api_key(ctx, "WATCH")
    return await deliveries(key.organization_id, size, before_id)
