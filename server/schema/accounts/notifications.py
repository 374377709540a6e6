"""The notification inbox over GraphQL (docs/api-changelog.md): `myNotifications` and
`markNotificationsRead`. The use cases are in server/resolvers/accounts/notifications.py."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from strawberry import Info

from server.resolvers.accounts import notifications
from server.schema.base import UserError, mutation_payload


@strawberry.enum
class NotificationChannel(Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"


@strawberry.type(description="An email or SMS sent to the signed-in account.")
class Notification:
    id: strawberry.ID
    channel: NotificationChannel
    subject: str | None = strawberry.field(description="An email's subject; null for an SMS.")
    text: str | None = strawberry.field(
        description="The message as sent (an email's plain text); null when it holds a "
                    "one-time code or link, which only the email or phone itself shows.")
    private: bool = strawberry.field(description="It held a one-time code or link.")
    sent_at: dt.datetime = strawberry.field(description="When it was queued to be sent.")
    read: bool

    @classmethod
    def of(cls, row) -> Notification:
        payload = row.payload or {}
        private = bool(payload.get("private"))
        body = payload.get("text") if row.channel == "email" else payload.get("body")
        return cls(id=strawberry.ID(str(row.id)), channel=NotificationChannel(row.channel.upper()),
                   subject=payload.get("subject") if row.channel == "email" else None,
                   text=None if private else body, private=private, sent_at=row.created_at,
                   read=row.read_at is not None)


@strawberry.type
class NotificationInbox:
    first: strawberry.Private[int]
    caller: strawberry.Private[object]

    @strawberry.field
    async def unread_count(self) -> int:
        return await notifications.unread_count(self.caller)

    @strawberry.field(description="Newest first.")
    async def notifications(self) -> list[Notification]:
        return [Notification.of(r) for r in await notifications.inbox(self.caller, self.first)]


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The notifications to mark read; null marks every one.")


@strawberry.type
class MarkNotificationsReadPayload:
    errors: list[UserError]
    unread_count: int | None = None


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in account's notification inbox: every email "
                                  "and SMS sent to it, newest first (first: 1–100).")
    async def my_notifications(self, info: Info, first: int = 50) -> NotificationInbox:
        notifications.require_account(info.context)
        return NotificationInbox(first=first, caller=info.context)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Marks the signed-in account's notifications read.")
    async def mark_notifications_read(self, info: Info, input: MarkNotificationsReadInput
                                      ) -> MarkNotificationsReadPayload:
        async def run():
            ids = None if input.ids is None else [str(i) for i in input.ids]
            return {"unread_count": await notifications.mark_read(info.context, ids)}
        return await mutation_payload(info, MarkNotificationsReadPayload, run)
