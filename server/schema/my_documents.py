"""`myDocuments`: what the regulator issued to the signed-in practitioner, each with its
download address (docs/api-changelog.md). The use case is server/resolvers/services/issued.py."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from strawberry import Info

from server.resolvers.services import issued


@strawberry.enum
class IssuedDocumentKind(Enum):
    REGISTRATION_CARD = "REGISTRATION_CARD"
    GOOD_STANDING = "GOOD_STANDING"
    TRAINING_CERTIFICATE = "TRAINING_CERTIFICATE"
    PAYMENT_RECEIPT = "PAYMENT_RECEIPT"


@strawberry.type(description="A card, certificate or receipt, to download as a PDF.")
class IssuedDocument:
    kind: IssuedDocumentKind
    reference: str = strawberry.field(
        description="The registration number, certificate code or receipt number.")
    issued_at: dt.datetime | None
    application_id: strawberry.ID | None
    download_url: str = strawberry.field(description="A path on this site (signed in).")


def _date_time(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(), dt.UTC)


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in account's registration card, certificates "
                                  "and payment receipts, newest first; with applicationId, "
                                  "that application's only.")
    async def my_documents(self, info: Info, application_id: strawberry.ID | None = None
                           ) -> list[IssuedDocument]:
        rows = await issued.my_documents(info.context, application_id)
        return [IssuedDocument(kind=IssuedDocumentKind(d.kind), reference=d.reference,
                               issued_at=_date_time(d.issued_at),
                               application_id=strawberry.ID(d.application_id)
                               if d.application_id else None,
                               download_url=d.download_url) for d in rows]
