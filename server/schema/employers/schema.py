"""Employers over GraphQL: admins create organisations and their API keys; a key with scope
WATCH keeps its organisation's watch list and webhook endpoint and reads its delivery log;
a key with scope REGISTER_READ pages through the register's change feed."""

from __future__ import annotations

import strawberry
from strawberry import Info

from server.domain.errors import DomainError
from server.resolvers.employers import feed, keys, watch
from server.schema.base import (
    Connection,
    Edge,
    PageInfo,
    decode_cursor,
    encode_cursor,
    mutation_payload,
    page_size,
)
from server.schema.employers.types import (
    ApiKey,
    CreateApiKeyInput,
    CreateApiKeyPayload,
    CreateOrganizationInput,
    CreateOrganizationPayload,
    Organization,
    RegisterChange,
    RevokeApiKeyInput,
    RevokeApiKeyPayload,
    SetWebhookEndpointInput,
    SetWebhookEndpointPayload,
    UnwatchPractitionersInput,
    UnwatchPractitionersPayload,
    WatchedRegistration,
    WatchPractitionersInput,
    WatchPractitionersPayload,
    WebhookDelivery,
    WebhookEndpoint,
)


def _cursor_int(after: str | None) -> int | None:
    cursor = decode_cursor(after, 1)
    if cursor is None:
        return None
    if not cursor[0].isdigit():
        raise DomainError("INVALID", "after")
    return int(cursor[0])


def _connection(rows, more: bool, node) -> Connection:
    edges = [Edge(node=node(r), cursor=encode_cursor(r.id)) for r in rows]
    return Connection(edges=edges, page_info=PageInfo(
        has_next_page=more, end_cursor=edges[-1].cursor if edges else None))


@strawberry.type
class Query:
    @strawberry.field(description="Every organisation, by English name (admins).")
    async def organizations(self, info: Info) -> list[Organization]:
        return [Organization.of(r) for r in await keys.list_organizations(info.context)]

    @strawberry.field(description="One organisation with its keys and endpoint (admins).")
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        row = await keys.organization(info.context, id)
        return Organization.of(row) if row else None

    @strawberry.field(description="An organisation's webhook delivery log, newest first "
                                  "(admins).")
    async def webhook_deliveries(self, info: Info, organization_id: strawberry.ID,
                                 first: int | None = None, after: str | None = None,
                                 ) -> Connection[WebhookDelivery]:
        found = await keys.organization(info.context, organization_id)
        size, before = page_size(first), _cursor_int(after)
        rows, more = await watch.deliveries(found.id, size, before) if found else ([], False)
        return _connection(rows, more, WebhookDelivery.of)

    @strawberry.field(description="The registrations the calling API key's organisation "
                                  "watches, in the order they were added (scope WATCH).")
    async def my_watch_list(self, info: Info, first: int | None = None,
                            after: str | None = None) -> Connection[WatchedRegistration]:
        size, after_id = page_size(first), _cursor_int(after)
        rows, more = await watch.watch_list(info.context, size, after_id)
        edges = [Edge(node=WatchedRegistration.of(r.registration), cursor=encode_cursor(r.id))
                 for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="The calling API key's organisation's webhook endpoint "
                                  "(scope WATCH).")
    async def my_webhook_endpoint(self, info: Info) -> WebhookEndpoint | None:
        row = await watch.my_endpoint(info.context)
        return WebhookEndpoint.of(row) if row else None

    @strawberry.field(description="The calling API key's organisation's delivery log, newest "
                                  "first (scope WATCH).")
    async def my_webhook_deliveries(self, info: Info, first: int | None = None,
                                    after: str | None = None) -> Connection[WebhookDelivery]:
        size, before = page_size(first), _cursor_int(after)
        rows, more = await watch.my_deliveries(info.context, size, before)
        return _connection(rows, more, WebhookDelivery.of)

    @strawberry.field(description="Every change of the public register since the cursor, "
                                  "oldest first: keep `endCursor` and ask again later "
                                  "(scope REGISTER_READ).")
    async def register_changes(self, info: Info, first: int | None = None,
                               after: str | None = None) -> Connection[RegisterChange]:
        size, after_id = page_size(first, 100), _cursor_int(after)
        rows, more = await feed.register_changes(info.context, size, after_id)
        return _connection(rows, more, RegisterChange.of)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Registers an organisation (admins).")
    async def create_organization(self, info: Info, input: CreateOrganizationInput
                                  ) -> CreateOrganizationPayload:
        async def run():
            row = await keys.create_organization(info.context, input.name_ar, input.name_en,
                                                 input.contact_email)
            return {"organization": Organization.of(row)}
        return await mutation_payload(info, CreateOrganizationPayload, run)

    @strawberry.mutation(description="Issues an API key; its secret is in this answer only "
                                     "(admins).")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        async def run():
            key, secret = await keys.create_api_key(
                info.context, input.organization_id, input.name,
                [s.value for s in input.scopes or []])
            return {"api_key": ApiKey.of(key), "secret": secret}
        return await mutation_payload(info, CreateApiKeyPayload, run)

    @strawberry.mutation(description="Revokes an API key: it stops working at once (admins).")
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        async def run():
            return {"api_key": ApiKey.of(await keys.revoke_api_key(info.context,
                                                                   input.api_key_id))}
        return await mutation_payload(info, RevokeApiKeyPayload, run)

    @strawberry.mutation(description="Watches registrations by number; idempotent "
                                     "(scope WATCH).")
    async def watch_practitioners(self, info: Info, input: WatchPractitionersInput
                                  ) -> WatchPractitionersPayload:
        async def run():
            rows = await watch.watch(info.context, input.registration_numbers)
            return {"watched": [WatchedRegistration.of(r) for r in rows]}
        return await mutation_payload(info, WatchPractitionersPayload, run)

    @strawberry.mutation(description="Stops watching registrations (scope WATCH).")
    async def unwatch_practitioners(self, info: Info, input: UnwatchPractitionersInput
                                    ) -> UnwatchPractitionersPayload:
        async def run():
            await watch.unwatch(info.context, input.registration_numbers)
            return {}
        return await mutation_payload(info, UnwatchPractitionersPayload, run)

    @strawberry.mutation(description="Sets the organisation's one webhook endpoint, replacing "
                                     "it; returns a new signing secret (scope WATCH).")
    async def set_webhook_endpoint(self, info: Info, input: SetWebhookEndpointInput
                                   ) -> SetWebhookEndpointPayload:
        async def run():
            row, secret = await watch.set_endpoint(
                info.context, input.url, [e.value for e in input.events or []])
            return {"endpoint": WebhookEndpoint.of(row), "secret": secret}
        return await mutation_payload(info, SetWebhookEndpointPayload, run)


