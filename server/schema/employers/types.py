"""The employers' GraphQL types, inputs and payloads (root fields: server/schema/employers.py)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from strawberry import Info

from server.domain.registry import RegistrationStatus as DomainStatus
from server.resolvers.employers import events, keys
from server.schema.base import UserError
from server.schema.register.types import RegistrationStatus


@strawberry.enum
class ApiKeyScope(Enum):
    REGISTER_READ = "REGISTER_READ"
    WATCH = "WATCH"


@strawberry.enum
class WebhookEvent(Enum):
    REGISTRATION_SUSPENDED = "registration.suspended"
    REGISTRATION_REINSTATED = "registration.reinstated"
    REGISTRATION_RENEWED = "registration.renewed"
    REGISTRATION_EXPIRING = "registration.expiring"
    REGISTRATION_EXPIRED = "registration.expired"


@strawberry.type
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The secret's first characters, to tell "
                                               "keys apart; the secret itself is never shown "
                                               "again.")
    scopes: list[ApiKeyScope]
    requests_per_minute: int
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, row) -> ApiKey:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, prefix=row.prefix,
                   scopes=[ApiKeyScope(s) for s in row.scope_list],
                   requests_per_minute=row.requests_per_minute, created_at=row.created_at,
                   last_used_at=row.last_used_at, revoked_at=row.revoked_at)


@strawberry.type
class WebhookEndpoint:
    url: str
    events: list[WebhookEvent]
    updated_at: dt.datetime

    @classmethod
    def of(cls, row) -> WebhookEndpoint:
        return cls(url=row.url, events=[WebhookEvent(e) for e in row.event_list],
                   updated_at=row.updated_at)


async def _endpoints(organization_ids: list) -> list:
    from server.models.employers import WebhookEndpoint as Model

    found = {e.organization_id: e for e in await Model.filter(
        organization_id__in=organization_ids)}
    return [found.get(key) for key in organization_ids]


@strawberry.type
class Organization:
    id: strawberry.ID
    name_ar: str
    name_en: str
    contact_email: str
    created_at: dt.datetime

    @strawberry.field(description="Its API keys, newest first, revoked ones included.")
    async def api_keys(self, info: Info) -> list[ApiKey]:
        rows = await info.context.loaders.get(keys.keys_of).load(self.id)
        return [ApiKey.of(r) for r in rows]

    @strawberry.field(description="Where its webhooks go, if it has set an endpoint.")
    async def endpoint(self, info: Info) -> WebhookEndpoint | None:
        row = await info.context.loaders.get(_endpoints).load(self.id)
        return WebhookEndpoint.of(row) if row else None

    @classmethod
    def of(cls, row) -> Organization:
        # The id stays a UUID for the loaders' keys; GraphQL prints it as a string.
        return cls(id=row.id, name_ar=row.name_ar, name_en=row.name_en,
                   contact_email=row.contact_email, created_at=row.created_at)


@strawberry.type
class WatchedRegistration:
    registration_number: str
    status: RegistrationStatus
    valid_until: dt.date

    @classmethod
    def of(cls, registration) -> WatchedRegistration:
        return cls(registration_number=registration.number,
                   status=DomainStatus(events.status_of(registration)),
                   valid_until=registration.valid_until)


@strawberry.type
class WebhookDelivery:
    webhook_id: str
    type: str = strawberry.field(description="The event, as in the body: "
                                             "registration.suspended, …")
    registration_number: str
    attempts: int
    status_code: int | None = strawberry.field(description="The endpoint's answer to the "
                                                           "last attempt; null if none came.")
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None

    @classmethod
    def of(cls, row) -> WebhookDelivery:
        return cls(webhook_id=row.webhook_id, type=row.event_type,
                   registration_number=row.registration_number, attempts=row.attempts,
                   status_code=row.status_code, created_at=row.created_at,
                   last_attempt_at=row.last_attempt_at, delivered_at=row.delivered_at)


@strawberry.type
class RegisterChange:
    registration_number: str
    type: str = strawberry.field(description="registration.granted, .renewed, .extended, "
                                             ".suspended, .reinstated, .expired or .imported "
                                             "(created or changed by a registry import)")
    status: RegistrationStatus = strawberry.field(description="The status right after the "
                                                              "change.")
    valid_until: dt.date
    changed_at: dt.datetime

    @classmethod
    def of(cls, row) -> RegisterChange:
        return cls(registration_number=row.registration_number, type=row.type,
                   status=DomainStatus(row.status), valid_until=row.valid_until,
                   changed_at=row.changed_at)


# ------------------------------------------------------------------ inputs and payloads

@strawberry.input
class CreateOrganizationInput:
    name_ar: str | None = None
    name_en: str | None = None
    contact_email: str | None = None


@strawberry.input
class CreateApiKeyInput:
    organization_id: strawberry.ID
    name: str | None = None
    scopes: list[ApiKeyScope] | None = None


@strawberry.input
class RevokeApiKeyInput:
    api_key_id: strawberry.ID


@strawberry.input
class WatchPractitionersInput:
    registration_numbers: list[str]


@strawberry.input
class UnwatchPractitionersInput:
    registration_numbers: list[str]


@strawberry.input
class SetWebhookEndpointInput:
    url: str | None = None
    events: list[WebhookEvent] | None = None


@strawberry.type
class CreateOrganizationPayload:
    errors: list[UserError]
    organization: Organization | None = None


@strawberry.type
class CreateApiKeyPayload:
    errors: list[UserError]
    api_key: ApiKey | None = None
    secret: str | None = strawberry.field(default=None, description="The key's secret, "
                                          "shown this once: only its hash is kept.")


@strawberry.type
class RevokeApiKeyPayload:
    errors: list[UserError]
    api_key: ApiKey | None = None


@strawberry.type
class WatchPractitionersPayload:
    errors: list[UserError]
    watched: list[WatchedRegistration] = strawberry.field(default_factory=list)


@strawberry.type
class UnwatchPractitionersPayload:
    errors: list[UserError]


@strawberry.type
class SetWebhookEndpointPayload:
    errors: list[UserError]
    endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(default=None, description="The signing secret "
                                          "(whsec_…), shown this once.")
