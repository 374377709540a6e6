"""Reviewers: the queue and the decision."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import Info

from server.resolvers import decisions, review
from server.schema.applications import Application, ApplicationKind
from server.schema.base import (
    Connection,
    Edge,
    PageInfo,
    UserError,
    decode_cursor,
    encode_cursor,
    mutation_payload,
    page_size,
)


@strawberry.enum
class Decision(Enum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    RETURN = "RETURN"


@strawberry.input
class DecideApplicationInput:
    application_id: strawberry.ID | None = None
    decision: Decision | None = None
    reason: str | None = strawberry.field(default=None, description="Required to reject or "
                                                                    "return; the applicant "
                                                                    "sees it.")
    recognised_hours: float | None = strawberry.field(
        default=None, description="CPD recognition: fewer hours than claimed, if so.")


@strawberry.type
class DecideApplicationPayload:
    errors: list[UserError]
    application: Application | None = None


@strawberry.type
class Query:
    @strawberry.field(description="Submitted applications, oldest first (reviewers).")
    async def review_queue(self, info: Info, first: int | None = None, after: str | None = None,
                           kind: ApplicationKind | None = None) -> Connection[Application]:
        size = page_size(first)
        cursor = decode_cursor(after, 2)
        rows, more = await review.queue(info.context, size, tuple(cursor) if cursor else None,
                                        kind.value if kind else None)
        edges = [Edge(node=Application.of(r),
                      cursor=encode_cursor(r.submitted_at.isoformat(), r.id)) for r in rows]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Approve, reject or return an application (reviewers).")
    async def decide_application(self, info: Info, input: DecideApplicationInput
                                 ) -> DecideApplicationPayload:
        async def run():
            row = await decisions.decide(
                info.context, str(input.application_id or ""),
                input.decision.value if input.decision else "", input.reason or "",
                input.recognised_hours)
            return {"application": Application.of(row)}
        return await mutation_payload(info, DecideApplicationPayload, run)
