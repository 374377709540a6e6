"""The services besides renewal, over GraphQL, and the public certificate check."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from server.models.certificates import Certificate as CertificateModel
from server.resolvers.kernel.access import require_account
from server.resolvers.services import applying, certificates, resubmitting
from server.schema.applications import Application
from server.schema.base import UserError, code_field, mutation_payload
from server.schema.record.schema import sent
from server.schema.record.types import Practitioner


@strawberry.input
class StartPractitionerRecordInput:
    first_name_ar: str | None = None
    family_name_ar: str | None = None
    first_name_en: str | None = None
    family_name_en: str | None = None
    date_of_birth: dt.date | None = None
    gender: str | None = code_field("gender", default=None)
    nationality: str | None = code_field("nationality", default=None)
    identity_type: str | None = code_field("identity_type", default=None)
    identity_number: str | None = None
    category: str | None = code_field("category", default=None)
    specialty: str | None = code_field("specialty", default=None)


@strawberry.input
class TrainingCertificateInput:
    programme: str | None = None
    institution: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    document_ids: list[strawberry.ID] | None = None


@strawberry.input
class QualificationEvaluationInput:
    degree: str | None = None
    institution: str | None = None
    country: str | None = code_field("country", default=None)
    awarded_on: dt.date | None = None
    verification_reference: str | None = None
    certificate_id: strawberry.ID | None = None


@strawberry.input
class ClassificationInput:
    category: str | None = code_field("category", default=None)
    specialty: str | None = code_field("specialty", default=None)
    qualification_level: str | None = strawberry.field(
        default=None, description="DIPLOMA, BACHELOR, MASTER, DOCTORATE or BOARD")
    years_of_experience: int | None = None
    exam_passed: bool | None = None
    exam_reference: str | None = None
    document_ids: list[strawberry.ID] | None = None


@strawberry.input
class RegistrationInput:
    years: int | None = None


@strawberry.input
class ReclassificationInput:
    target_rank: str | None = None
    target_specialty: str | None = None
    note: str | None = None
    document_ids: list[strawberry.ID] | None = None


@strawberry.input
class ApplicationIdInput:
    application_id: strawberry.ID | None = None


@strawberry.input
class SetClassificationRankInput:
    application_id: strawberry.ID | None = None
    rank: str | None = code_field("rank", default=None)


@strawberry.input(description="A change to the application itself while correcting it: "
                             "`field` is one of the application's `correctableFields`.")
class CorrectedFieldInput:
    field: str
    value: str


@strawberry.input
class ResubmitApplicationInput:
    application_id: strawberry.ID | None = None
    answers: list[str] | None = strawberry.field(
        default=None, description="One answer per point of the return "
                                  "(`Application.correction.points`), in order; each is "
                                  "required.")
    document_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Documents added with the correction (uploaded first).")
    changes: list[CorrectedFieldInput] | None = None


@strawberry.type
class ServiceApplicationPayload:
    errors: list[UserError]
    application: Application | None = None


@strawberry.type
class StartPractitionerRecordPayload:
    errors: list[UserError]
    practitioner: Practitioner | None = None


@strawberry.type
class RefundPayload:
    errors: list[UserError]
    refund_status: str | None = None


@strawberry.type
class CertificateCheck:
    code: str
    kind: str
    full_name_ar: str
    full_name_en: str
    issued_on: dt.date
    valid_until: dt.date | None
    valid: bool = strawberry.field(description="Genuine, not revoked and not expired.")
    revoked: bool = False
    expired: bool = False


@strawberry.type
class MyCertificate:
    code: str
    kind: str
    issued_at: dt.datetime
    valid_until: dt.date | None
    download_url: str


def _wrap(info: Info, use_case):
    async def run():
        return {"application": Application.of(await use_case())}
    return mutation_payload(info, ServiceApplicationPayload, run)


@strawberry.type
class Query:
    @strawberry.field(description="Public: is this certificate genuine and still valid? "
                                  "Unknown codes give null.")
    async def verify_certificate(self, code: str) -> CertificateCheck | None:
        found = await certificates.check(code)
        if found is None:
            return None
        return CertificateCheck(code=found["code"], kind=found["kind"],
                                full_name_ar=found["full_name_ar"],
                                full_name_en=found["full_name_en"],
                                issued_on=found["issued_on"], valid_until=found["valid_until"],
                                valid=found["valid"], revoked=found["revoked"],
                                expired=found["expired"])

    @strawberry.field(description="The signed-in practitioner's certificates.")
    async def my_certificates(self, info: Info) -> list[MyCertificate]:
        account = require_account(info.context)
        rows = await CertificateModel.filter(practitioner__account_id=account.id) \
            .order_by("-issued_at")
        return [MyCertificate(code=r.code, kind=r.kind, issued_at=r.issued_at,
                              valid_until=r.valid_until,
                              download_url=f"/certificates/{r.code}.pdf") for r in rows]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="A practitioner new to the regulator creates their "
                                     "record, to apply for classification.")
    async def start_practitioner_record(self, info: Info, input: StartPractitionerRecordInput
                                        ) -> StartPractitionerRecordPayload:
        async def run():
            return {"practitioner": Practitioner.of(
                await applying.start_record(info.context, sent(input)))}
        return await mutation_payload(info, StartPractitionerRecordPayload, run)

    @strawberry.mutation
    async def apply_for_good_standing_certificate(self, info: Info
                                                  ) -> ServiceApplicationPayload:
        return await _wrap(info, lambda: applying.apply_good_standing(info.context))

    @strawberry.mutation
    async def apply_for_training_certificate(self, info: Info, input: TrainingCertificateInput
                                             ) -> ServiceApplicationPayload:
        return await _wrap(info, lambda: applying.apply_training_certificate(
            info.context, sent(input)))

    @strawberry.mutation
    async def apply_for_qualification_evaluation(self, info: Info,
                                                 input: QualificationEvaluationInput
                                                 ) -> ServiceApplicationPayload:
        return await _wrap(info, lambda: applying.apply_qualification_evaluation(
            info.context, sent(input)))

    @strawberry.mutation
    async def apply_for_classification(self, info: Info, input: ClassificationInput
                                       ) -> ServiceApplicationPayload:
        return await _wrap(info, lambda: applying.apply_classification(info.context,
                                                                       sent(input)))

    @strawberry.mutation
    async def apply_for_registration(self, info: Info, input: RegistrationInput
                                     ) -> ServiceApplicationPayload:
        return await _wrap(info, lambda: applying.apply_first_registration(info.context,
                                                                           input.years))

    @strawberry.mutation
    async def apply_for_reclassification(self, info: Info, input: ReclassificationInput
                                         ) -> ServiceApplicationPayload:
        return await _wrap(info, lambda: applying.apply_reclassification(info.context,
                                                                         sent(input)))

    @strawberry.mutation(description="Cancels an application before review.")
    async def cancel_application(self, info: Info, input: ApplicationIdInput
                                 ) -> ServiceApplicationPayload:
        return await _wrap(info, lambda: applying.cancel(info.context,
                                                         str(input.application_id or "")))

    @strawberry.mutation(description="Sends an application returned for correction (any "
                                     "kind) back to the reviewers, answering each point; "
                                     "no second fee.")
    async def resubmit_application(self, info: Info, input: ResubmitApplicationInput
                                   ) -> ServiceApplicationPayload:
        return await _wrap(info, lambda: resubmitting.resubmit(
            info.context, str(input.application_id or ""), list(input.answers or []),
            [str(i) for i in input.document_ids or []],
            {c.field: c.value for c in input.changes or []}))

    @strawberry.mutation(description="Asks for the fee of a cancelled application back; an "
                                      "admin approves the refund.")
    async def request_refund(self, info: Info, input: ApplicationIdInput) -> RefundPayload:
        async def run():
            payment = await applying.request_refund(info.context,
                                                    str(input.application_id or ""))
            return {"refund_status": payment.refund_status}
        return await mutation_payload(info, RefundPayload, run)

    @strawberry.mutation(description="Reviewers: confirm or change the rank a "
                                     "classification application proposes.")
    async def set_classification_rank(self, info: Info, input: SetClassificationRankInput
                                      ) -> ServiceApplicationPayload:
        async def use_case():
            return await applying.set_classification_rank(
                info.context, input.application_id, input.rank or "")
        return await _wrap(info, use_case)
