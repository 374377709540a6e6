"""Renewal over GraphQL: StartRenewal, Renewal, AnswerRenewalQuestions, AttachDocuments and
SubmitRenewal (paying is in server/schema/payments.py)."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from server.domain.errors import DomainError
from server.i18n import gettext
from server.models.applications import Application as ApplicationModel
from server.models.payments import Payment as PaymentModel
from server.models.practitioners import Practitioner as PractitionerModel
from server.resolvers.kernel.access import require_account
from server.resolvers.renewals import renewing
from server.schema.applications import Application, ApplicationKind, ApplicationStatus
from server.schema.base import Money, UserError, mutation_payload, user_errors
from server.schema.payments import Payment


@strawberry.type
class RenewalQuestion:
    code: str
    text: str
    answer: str | None


@strawberry.type
class MissingItem:
    code: str = strawberry.field(description="What is missing; a document kind "
                                             "(EMPLOYER_LETTER, …) when it is a document.")
    message: str


@strawberry.type
class Renewal:
    model: strawberry.Private[ApplicationModel]
    id: strawberry.ID
    kind: ApplicationKind
    status: ApplicationStatus
    years: int
    decision_reason: str | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None

    @classmethod
    def of(cls, row: ApplicationModel) -> Renewal:
        return cls(model=row, id=strawberry.ID(str(row.id)), kind=ApplicationKind(row.kind),
                   status=ApplicationStatus(row.status), years=row.years or 0,
                   decision_reason=row.decision_reason or None, created_at=row.created_at,
                   submitted_at=row.submitted_at)

    @strawberry.field
    async def questions(self, info: Info) -> list[RenewalQuestion]:
        answers = self.model.data.get("answers") or {}
        return [RenewalQuestion(code=q.code, text=q.text(info.context.lang),
                                answer=answers.get(q.code))
                for q in await renewing.current_questions()]

    @strawberry.field(description="What is still needed before it can be submitted, in "
                                  "words; empty when nothing is.")
    async def missing(self, info: Info) -> list[MissingItem]:
        if self.model.status not in renewing.EDITABLE:
            return []
        return [MissingItem(code=m.code, message=gettext(info.context.lang, m.msgid, **m.params))
                for m in await renewing.missing(self.model)]

    @strawberry.field(description="The fee: fixed at submission, projected before it.")
    async def fee(self) -> Money:
        practitioner = await PractitionerModel.get(id=self.model.practitioner_id)
        return Money.sar(await renewing.projected_fee(self.model, practitioner.rank))

    @strawberry.field(description="The documents attached so far.")
    async def documents(self) -> list[RenewalDocument]:
        return [RenewalDocument(kind=row.kind, document_id=strawberry.ID(str(row.document_id)),
                                name=row.document.original_name)
                for row in await renewing.attached(self.model)]

    @strawberry.field(description="The registration's end if the renewal is approved today.")
    async def projected_valid_until(self) -> dt.date | None:
        return await renewing.projected_valid_until(self.model)

    @strawberry.field(description="The latest payment, if any.")
    async def payment(self) -> Payment | None:
        row = await PaymentModel.filter(application_id=self.model.id) \
            .order_by("-created_at").first()
        return Payment.of(row) if row else None


@strawberry.type
class RenewalDocument:
    kind: str
    document_id: strawberry.ID
    name: str = strawberry.field(description="The file's name as it was uploaded.")


@strawberry.type
class RenewalChoice:
    years: int
    fee: Money
    valid_until: dt.date = strawberry.field(description="The registration's end if the "
                                                        "renewal is approved today.")


@strawberry.type
class RenewalOptions:
    refusal: UserError | None = strawberry.field(description="Why a renewal cannot start "
                                                             "now; null when it can.")
    choices: list[RenewalChoice]


@strawberry.input
class StartRenewalInput:
    years: int | None = strawberry.field(default=None, description="1, 3 or 5")


@strawberry.input
class RenewalAnswer:
    code: str
    answer: str = strawberry.field(description="YES or NO")


@strawberry.input
class AnswerRenewalQuestionsInput:
    renewal_id: strawberry.ID | None = None
    answers: list[RenewalAnswer] | None = None


@strawberry.input
class AttachedDocument:
    kind: str
    document_id: strawberry.ID
    issued_on: dt.date | None = strawberry.field(default=None, description=(
        "The date on the document. For an EMPLOYER_LETTER it must be within the last 3 "
        "months; without it, the upload date stands in for it."))


@strawberry.input
class AttachDocumentsInput:
    application_id: strawberry.ID | None = None
    documents: list[AttachedDocument] | None = None


@strawberry.input
class SubmitRenewalInput:
    renewal_id: strawberry.ID | None = None


@strawberry.type
class RenewalPayload:
    errors: list[UserError]
    renewal: Renewal | None = None


@strawberry.type
class ApplicationOnlyPayload:
    errors: list[UserError]
    application: Application | None = None


@strawberry.type
class Query:
    @strawberry.field(description="One of the signed-in practitioner's renewals.")
    async def renewal(self, info: Info, id: strawberry.ID) -> Renewal | None:
        require_account(info.context)
        try:
            return Renewal.of(await renewing.mine(info.context, str(id)))
        except DomainError:  # unknown or not yours: null either way
            return None

    @strawberry.field(description="What the signed-in practitioner may renew for now: each "
                                  "period with its fee, or why a renewal cannot start.")
    async def renewal_options(self, info: Info) -> RenewalOptions:
        refused, choices = await renewing.choices(info.context)
        return RenewalOptions(
            refusal=user_errors(refused, info.context.lang)[0] if refused else None,
            choices=[RenewalChoice(years=c.years, fee=Money.sar(c.fee),
                                   valid_until=c.valid_until) for c in choices])


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def start_renewal(self, info: Info, input: StartRenewalInput) -> RenewalPayload:
        async def run():
            return {"renewal": Renewal.of(await renewing.start(info.context, input.years))}
        return await mutation_payload(info, RenewalPayload, run)

    @strawberry.mutation
    async def answer_renewal_questions(self, info: Info, input: AnswerRenewalQuestionsInput
                                       ) -> RenewalPayload:
        async def run():
            row = await renewing.answer(info.context, str(input.renewal_id or ""), [
                {"code": a.code, "answer": a.answer} for a in input.answers or []])
            return {"renewal": Renewal.of(row)}
        return await mutation_payload(info, RenewalPayload, run)

    @strawberry.mutation(description="Attaches documents to an application not yet "
                                     "submitted; a kind attached again replaces the earlier.")
    async def attach_documents(self, info: Info,
                               input: AttachDocumentsInput) -> ApplicationOnlyPayload:
        async def run():
            require_account(info.context)
            items = [{"kind": d.kind, "documentId": str(d.document_id), "issuedOn": d.issued_on}
                     for d in input.documents or []]
            row = await renewing.attach_documents(info.context,
                                                  str(input.application_id or ""), items)
            return {"application": Application.of(row)}
        return await mutation_payload(info, ApplicationOnlyPayload, run)

    @strawberry.mutation
    async def submit_renewal(self, info: Info, input: SubmitRenewalInput) -> RenewalPayload:
        async def run():
            row = await renewing.submit(info.context, str(input.renewal_id or ""))
            return {"renewal": Renewal.of(row)}
        return await mutation_payload(info, RenewalPayload, run)
