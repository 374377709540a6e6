"""Staff search over GraphQL: applications in any status by name, identity or registration
number, or reference (FindApplications), and a practitioner's whole file. Staff only."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from server.resolvers.review import search
from server.schema.applications import ApplicationKind
from server.schema.base import (
    Connection,
    Edge,
    Money,
    PageInfo,
    decode_time_cursor,
    encode_cursor,
    page_size,
)
from server.schema.record.types import Practitioner
from server.schema.review import ApplicationForReview


@strawberry.type
class FilePayment:
    id: strawberry.ID
    application_id: strawberry.ID
    application_kind: ApplicationKind
    status: str
    method: str
    amount: Money
    refund_status: str
    created_at: dt.datetime
    paid_at: dt.datetime | None


@strawberry.type
class FileCertificate:
    code: str
    kind: str
    issued_at: dt.datetime
    valid_until: dt.date | None
    revoked: bool


@strawberry.type
class FileChange:
    at: dt.datetime
    what: str
    changes: strawberry.scalars.JSON
    application_id: strawberry.ID | None


@strawberry.type(description="Everything held about one practitioner, for staff.")
class PractitionerFile:
    practitioner: Practitioner
    applications: list[ApplicationForReview]
    payments: list[FilePayment]
    certificates: list[FileCertificate]
    history: list[FileChange] = strawberry.field(description="The record's changes, newest "
                                                             "first (the latest 100).")

    @classmethod
    def of(cls, found: dict) -> PractitionerFile:
        return cls(
            practitioner=Practitioner.of(found["practitioner"]),
            applications=[ApplicationForReview.of(a) for a in found["applications"]],
            payments=[FilePayment(
                id=strawberry.ID(str(p.id)), application_id=strawberry.ID(str(p.application_id)),
                application_kind=ApplicationKind(p.application.kind), status=p.status,
                method=p.method, amount=Money(amount=f"{p.amount:.2f}", currency=p.currency),
                refund_status=p.refund_status, created_at=p.created_at, paid_at=p.paid_at)
                for p in found["payments"]],
            certificates=[FileCertificate(code=c.code, kind=c.kind, issued_at=c.issued_at,
                                          valid_until=c.valid_until,
                                          revoked=c.revoked_at is not None)
                          for c in found["certificates"]],
            history=[FileChange(at=r.at, what=r.what, changes=r.changes,
                                application_id=strawberry.ID(str(r.application_id))
                                if r.application_id else None) for r in found["history"]])


@strawberry.type
class Query:
    @strawberry.field(description="Applications in any status, newest first, by the "
                                  "applicant's name, identity or registration number, or "
                                  "the application's reference (staff).")
    async def find_applications(self, info: Info, query: str, first: int | None = None,
                                after: str | None = None
                                ) -> Connection[ApplicationForReview]:
        rows, more = await search.find_applications(info.context, query, page_size(first),
                                                    decode_time_cursor(after))
        edges = [Edge(node=ApplicationForReview.of(r),
                      cursor=encode_cursor(r.created_at.isoformat(), r.id)) for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="A practitioner's whole file: the record, applications, "
                                  "payments, certificates and history (staff); null for an "
                                  "unknown id.")
    async def practitioner_file(self, info: Info, id: strawberry.ID) -> PractitionerFile | None:
        found = await search.practitioner_file(info.context, str(id))
        return PractitionerFile.of(found) if found else None
