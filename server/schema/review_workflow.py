"""The review workflow over GraphQL: assigning cases (supervisors), force-releasing a
claim (supervisors), internal notes (staff only: no applicant-facing type has them), the
reviewers a case can be assigned to, and the holiday list overdue cases are counted with
(admins keep it)."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from server.resolvers.review import workflow
from server.schema.base import UserError, mutation_payload
from server.schema.review import ApplicationForReview


@strawberry.type(description="A staff member's note on an application; its applicant "
                             "never sees it.")
class InternalNote:
    id: strawberry.ID
    body: str
    author_email: str
    author_name: str
    created_at: dt.datetime

    @classmethod
    def of(cls, row) -> InternalNote:
        return cls(id=strawberry.ID(str(row.id)), body=row.body,
                   author_email=row.author.email,
                   author_name=f"{row.author.first_name} {row.author.family_name}".strip(),
                   created_at=row.created_at)


@strawberry.type
class AssignableReviewer:
    id: strawberry.ID
    email: str
    name: str


@strawberry.input
class AssignApplicationInput:
    application_id: strawberry.ID | None = None
    reviewer_id: strawberry.ID | None = strawberry.field(default=None, description=(
        "A reviewer's account; with neither this nor team, the case is unassigned."))
    team: str | None = None


@strawberry.input
class ForceReleaseApplicationInput:
    application_id: strawberry.ID | None = None
    reason: str | None = None


@strawberry.input
class AddInternalNoteInput:
    application_id: strawberry.ID | None = None
    body: str | None = None


@strawberry.input
class UpdateHolidaysInput:
    dates: list[dt.date] | None = None


@strawberry.type(description="A day left out of working days, named in both languages (a "
                             "day saved before holidays had names has empty names).")
class Holiday:
    date: dt.date
    name_ar: str
    name_en: str

    @classmethod
    def of(cls, row) -> Holiday:
        return cls(date=row.day, name_ar=row.name_ar, name_en=row.name_en)


@strawberry.input
class AddHolidayInput:
    date: dt.date | None = None
    name_ar: str | None = None
    name_en: str | None = None


@strawberry.input
class RemoveHolidayInput:
    date: dt.date


@strawberry.type
class HolidayListPayload:
    errors: list[UserError]
    holidays: list[Holiday] | None = None


@strawberry.type
class WorkflowApplicationPayload:
    errors: list[UserError]
    application: ApplicationForReview | None = None


@strawberry.type
class InternalNotePayload:
    errors: list[UserError]
    note: InternalNote | None = None


@strawberry.type
class HolidaysPayload:
    errors: list[UserError]
    holidays: list[dt.date] | None = None


@strawberry.type
class Query:
    @strawberry.field(description="An application's internal notes, oldest first (staff).")
    async def internal_notes(self, info: Info, application_id: strawberry.ID
                             ) -> list[InternalNote]:
        return [InternalNote.of(r) for r in await workflow.notes(info.context,
                                                                 application_id)]

    @strawberry.field(description="Active reviewers a case can be assigned to "
                                  "(supervisors, admins).")
    async def assignable_reviewers(self, info: Info) -> list[AssignableReviewer]:
        return [AssignableReviewer(id=strawberry.ID(str(r.id)), email=r.email,
                                   name=f"{r.first_name} {r.family_name}".strip())
                for r in await workflow.reviewers(info.context)]

    @strawberry.field(description="Holidays left out of working days (Sunday to Thursday) "
                                  "when overdue cases are counted (admins, supervisors).")
    async def holidays(self, info: Info) -> list[dt.date]:
        return await workflow.holiday_list(info.context)

    @strawberry.field(description="The holidays with their names, by date (admins, "
                                  "supervisors).")
    async def named_holidays(self, info: Info) -> list[Holiday]:
        return [Holiday.of(h) for h in await workflow.named_holidays(info.context)]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Assigns an application to a reviewer or a team; a "
                                     "claim of someone else is released (supervisors, "
                                     "admins).")
    async def assign_application(self, info: Info, input: AssignApplicationInput
                                 ) -> WorkflowApplicationPayload:
        async def run():
            row = await workflow.assign(info.context, input.application_id,
                                        input.reviewer_id, input.team)
            return {"application": ApplicationForReview.of(row)}
        return await mutation_payload(info, WorkflowApplicationPayload, run)

    @strawberry.mutation(description="Takes a claim away from its holder, with a reason: "
                                     "the application is back in the queue (supervisors, "
                                     "admins).")
    async def force_release_application(self, info: Info, input: ForceReleaseApplicationInput
                                        ) -> WorkflowApplicationPayload:
        async def run():
            row = await workflow.force_release(info.context, input.application_id,
                                               input.reason or "")
            return {"application": ApplicationForReview.of(row)}
        return await mutation_payload(info, WorkflowApplicationPayload, run)

    @strawberry.mutation(description="Adds an internal note to an application (staff).")
    async def add_internal_note(self, info: Info, input: AddInternalNoteInput
                                ) -> InternalNotePayload:
        async def run():
            row = await workflow.add_note(info.context, input.application_id,
                                          input.body or "")
            return {"note": InternalNote.of(row)}
        return await mutation_payload(info, InternalNotePayload, run)

    @strawberry.mutation(description="Adds one holiday, named in Arabic and English: a day "
                                     "from the past year up to five years ahead, not "
                                     "already on the list (admins).")
    async def add_holiday(self, info: Info, input: AddHolidayInput) -> HolidayListPayload:
        async def run():
            rows = await workflow.add_holiday(info.context, input.date, input.name_ar or "",
                                              input.name_en or "")
            return {"holidays": [Holiday.of(h) for h in rows]}
        return await mutation_payload(info, HolidayListPayload, run)

    @strawberry.mutation(description="Takes one day off the holiday list (admins).")
    async def remove_holiday(self, info: Info, input: RemoveHolidayInput
                             ) -> HolidayListPayload:
        async def run():
            rows = await workflow.remove_holiday(info.context, input.date)
            return {"holidays": [Holiday.of(h) for h in rows]}
        return await mutation_payload(info, HolidayListPayload, run)

    @strawberry.mutation(description="Replaces the holiday list (admins); a day already on "
                                     "it keeps its names.")
    async def update_holidays(self, info: Info, input: UpdateHolidaysInput) -> HolidaysPayload:
        async def run():
            return {"holidays": await workflow.set_holidays(info.context, input.dates or [])}
        return await mutation_payload(info, HolidaysPayload, run)
