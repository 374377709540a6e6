"""Four eyes over GraphQL (admins): the requests waiting for a second admin, deciding them,
undoing an approved mass extension, the amount above which a refund needs a second admin,
and the preview of a mass extension before it is asked for."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry
from strawberry import Info

from server.resolvers.admin import approvals, four_eyes
from server.resolvers.admin import console as admin
from server.schema.base import UserError, mutation_payload


@strawberry.enum(description="What a four-eyes request asks for.")
class ApprovalAction(enum.Enum):
    EXTEND_REGISTRATIONS = "EXTEND_REGISTRATIONS"
    REINSTATE_REGISTRATION = "REINSTATE_REGISTRATION"
    CONFIRM_SUSPENSION = "CONFIRM_SUSPENSION"
    REFUND = "REFUND"
    REFUND_PAYMENT = "REFUND_PAYMENT"
    PERSONAL_DATA_CHANGE = "PERSONAL_DATA_CHANGE"
    CONSULTANT_RANK = "CONSULTANT_RANK"


@strawberry.enum(description="PENDING until a second admin decides; UNDONE: an approved "
                             "mass extension put back.")
class ApprovalStatus(enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REFUSED = "REFUSED"
    UNDONE = "UNDONE"


@strawberry.type
class ExtendedRegistration:
    registration_number: str
    valid_until_before: dt.date
    valid_until_after: dt.date


@strawberry.type(description="One value a held approval would change.")
class ApprovalChange:
    field: str = strawberry.field(description="identityNumber, dateOfBirth or rank.")
    from_value: str
    to_value: str


@strawberry.type
class ApprovalRequest:
    id: strawberry.ID
    action: ApprovalAction
    status: ApprovalStatus
    summary: str
    registration_number: str | None
    reason: str | None = strawberry.field(description="The requester's reason.")
    months: int | None
    expiring_from: dt.date | None
    expiring_to: dt.date | None
    count: int | None = strawberry.field(description="Registrations concerned: when asked "
                                                     "for, then those actually changed.")
    amount: str | None
    requested_by_email: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str
    undone: int | None = strawberry.field(description="Registrations put back by an undo.")
    extended: list[ExtendedRegistration] = strawberry.field(description=(
        "What an approved mass extension did (at most the first 500)."))
    application_id: strawberry.ID | None = strawberry.field(description=(
        "The application a reviewer approved, held for this request (PERSONAL_DATA_CHANGE, "
        "CONSULTANT_RANK)."))
    application_reference: str | None
    changes: list[ApprovalChange] = strawberry.field(description=(
        "What a held approval changes on the record, from → to."))

    @classmethod
    def of(cls, row) -> ApprovalRequest:
        p, r = row.params or {}, row.result or {}
        day = dt.date.fromisoformat
        return cls(
            id=strawberry.ID(str(row.id)), action=ApprovalAction(row.action),
            status=ApprovalStatus(row.status if row.status in ApprovalStatus.__members__
                                  else "PENDING"),
            summary=row.summary, registration_number=p.get("number"), reason=p.get("reason"),
            months=p.get("months"),
            expiring_from=day(p["expiring_from"]) if p.get("expiring_from") else None,
            expiring_to=day(p["expiring_to"]) if p.get("expiring_to") else None,
            count=r.get("count", p.get("count")), amount=p.get("amount"),
            requested_by_email=row.requested_by.email, requested_at=row.requested_at,
            decided_at=row.decided_at, decision_reason=row.decision_reason,
            undone=r.get("undone"),
            extended=[ExtendedRegistration(registration_number=d["number"],
                                           valid_until_before=day(d["before"]),
                                           valid_until_after=day(d["after"]))
                      for d in r.get("done", [])[:500]],
            application_id=strawberry.ID(p["application_id"]) if p.get("application_id")
            else None,
            application_reference=p.get("reference") or None,
            changes=[ApprovalChange(field=f, from_value=str(c.get("from", "")),
                                    to_value=str(c.get("to", "")))
                     for f, c in sorted((p.get("changes") or {}).items())])


@strawberry.type
class ExtensionPreviewRow:
    registration_number: str
    practitioner_name_ar: str
    practitioner_name_en: str
    suspended: bool
    valid_until: dt.date
    new_valid_until: dt.date


@strawberry.type
class ExtensionPreview:
    count: int
    registrations: list[ExtensionPreviewRow] = strawberry.field(description=(
        "The first ones by expiry date (up to `first`)."))


@strawberry.type
class FourEyesSettings:
    refund_above: str = strawberry.field(description="Refunds of more than this amount "
                                                     "(SAR) need a second admin.")


@strawberry.type
class ExtensionPreviewPayload:
    errors: list[UserError]
    preview: ExtensionPreview | None = None


@strawberry.input
class DecideApprovalRequestInput:
    request_id: strawberry.ID | None = None
    approve: bool | None = None
    reason: str | None = None


@strawberry.input
class ApprovalRequestIdInput:
    request_id: strawberry.ID | None = None


@strawberry.input
class UpdateFourEyesSettingsInput:
    refund_above: str | None = None


@strawberry.type
class ApprovalRequestPayload:
    errors: list[UserError]
    request: ApprovalRequest | None = None


@strawberry.type
class FourEyesSettingsPayload:
    errors: list[UserError]
    settings: FourEyesSettings | None = None


def preview_row(row: dict) -> ExtensionPreviewRow:
    return ExtensionPreviewRow(
        registration_number=row["number"],
        practitioner_name_ar=f"{row['first_name_ar']} {row['family_name_ar']}",
        practitioner_name_en=f"{row['first_name_en']} {row['family_name_en']}",
        suspended=row["suspended"], valid_until=row["valid_until"],
        new_valid_until=row["new_valid_until"])


@strawberry.type
class Query:
    @strawberry.field(description="Four-eyes requests, newest first; PENDING by default, "
                                  "every status with status null (admins).")
    async def approval_requests(self, info: Info, status: ApprovalStatus | None =
                                ApprovalStatus.PENDING) -> list[ApprovalRequest]:
        rows = await approvals.listing(info.context, status.value if status else None)
        return [ApprovalRequest.of(r) for r in rows]

    @strawberry.field(description="One four-eyes request (admins); null if there is none.")
    async def approval_request(self, info: Info, id: strawberry.ID) -> ApprovalRequest | None:
        row = await approvals.one(info.context, id)
        return ApprovalRequest.of(row) if row else None

    @strawberry.field(description="The four-eyes settings (admins).")
    async def four_eyes_settings(self, info: Info) -> FourEyesSettings:
        admin.require_admin(info.context)
        return FourEyesSettings(refund_above=f"{await approvals.refund_limit():.2f}")


@strawberry.type
class Mutation:
    @strawberry.mutation(description="What extendRegistrations would change: how many "
                                     "registrations and which, before asking (admins). A "
                                     "mutation only to carry input errors; it changes "
                                     "nothing.")
    async def preview_registration_extension(
            self, info: Info, input: ExtensionPreviewInput) -> ExtensionPreviewPayload:
        async def run():
            count, rows = await admin.extension_preview(
                info.context, input.expiring_from, input.expiring_to, input.months,
                max(1, min(input.first or 100, 100)))
            return {"preview": ExtensionPreview(count=count,
                                                registrations=[preview_row(r) for r in rows])}
        return await mutation_payload(info, ExtensionPreviewPayload, run)

    @strawberry.mutation(description="A second admin approves (it is done) or refuses (with "
                                     "a reason) a four-eyes request; never its requester "
                                     "(admins).")
    async def decide_approval_request(self, info: Info, input: DecideApprovalRequestInput
                                      ) -> ApprovalRequestPayload:
        async def run():
            row = await four_eyes.decide(info.context, input.request_id, bool(input.approve),
                                         input.reason or "")
            return {"request": ApprovalRequest.of(row)}
        return await mutation_payload(info, ApprovalRequestPayload, run)

    @strawberry.mutation(description="Puts an approved mass extension back, for each "
                                     "registration still at the date it was moved to "
                                     "(admins).")
    async def undo_registration_extension(self, info: Info, input: ApprovalRequestIdInput
                                          ) -> ApprovalRequestPayload:
        async def run():
            row = await four_eyes.undo_extension(info.context, input.request_id)
            return {"request": ApprovalRequest.of(row)}
        return await mutation_payload(info, ApprovalRequestPayload, run)

    @strawberry.mutation(description="Sets the amount above which a refund needs a second "
                                     "admin (admins).")
    async def update_four_eyes_settings(self, info: Info, input: UpdateFourEyesSettingsInput
                                        ) -> FourEyesSettingsPayload:
        async def run():
            value = await approvals.set_refund_limit(info.context, input.refund_above)
            return {"settings": FourEyesSettings(refund_above=f"{value:.2f}")}
        return await mutation_payload(info, FourEyesSettingsPayload, run)


@strawberry.input
class ExtensionPreviewInput:
    expiring_from: dt.date | None = None
    expiring_to: dt.date | None = None
    months: int | None = None
    first: int | None = None
