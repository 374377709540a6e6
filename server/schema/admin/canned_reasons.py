"""Canned decision reasons over GraphQL: `cannedReasons` (staff, for the decision form) and
`updateCannedReasons` (admins), server/resolvers/kernel/canned_reasons.py."""

from __future__ import annotations

import strawberry
from strawberry import Info

from server.resolvers.kernel import canned_reasons as canned
from server.schema.base import UserError, mutation_payload


@strawberry.type
class CannedReason:
    text_ar: str
    text_en: str

    @classmethod
    def of(cls, row: canned.CannedReason) -> CannedReason:
        return cls(text_ar=row.text_ar, text_en=row.text_en)


@strawberry.input
class CannedReasonInput:
    text_ar: str = ""
    text_en: str = ""


@strawberry.input
class UpdateCannedReasonsInput:
    reasons: list[CannedReasonInput]


@strawberry.type
class CannedReasonsPayload:
    errors: list[UserError]
    reasons: list[CannedReason] | None = None


@strawberry.type
class Query:
    @strawberry.field(description="Reasons an admin prepared for decisions, in Arabic and "
                                  "English (staff).")
    async def canned_reasons(self, info: Info) -> list[CannedReason]:
        return [CannedReason.of(r) for r in await canned.canned_reasons(info.context)]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Replaces the canned decision reasons (admins); rows "
                                     "with both texts empty are dropped. Audited.")
    async def update_canned_reasons(self, info: Info,
                                    input: UpdateCannedReasonsInput) -> CannedReasonsPayload:
        async def run():
            rows = await canned.update_canned_reasons(info.context, [
                {"text_ar": r.text_ar, "text_en": r.text_en} for r in input.reasons])
            return {"reasons": [CannedReason.of(r) for r in rows]}
        return await mutation_payload(info, CannedReasonsPayload, run)
