"""Changing the practitioner's record: claiming it, experience, licences, qualifications,
CPD activities and personal-data change requests."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
from strawberry import UNSET, Info

from server.resolvers.kernel.access import require_account
from server.resolvers.record import cpd, entries, own_record, personal_data
from server.schema.applications import Application
from server.schema.base import UserError, code_field, mutation_payload
from server.schema.record.types import (
    CpdActivity,
    Experience,
    License,
    Practitioner,
    Qualification,
)


def sent(input_) -> dict:
    """The fields the client sent, camelCase, UNSET ones left out (null kept: it clears)."""
    values = {}
    for field in input_.__strawberry_definition__.fields:
        value = getattr(input_, field.python_name)
        if value is not UNSET:
            values[field.graphql_name or _camel(field.python_name)] = value
    return values


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.input
class ClaimPractitionerRecordInput:
    registration_number: str | None = None
    identity_number: str | None = None
    date_of_birth: dt.date | None = None


@strawberry.input
class AddExperienceInput:
    city: str | None = UNSET
    country: str | None = strawberry.field(default=UNSET, description="ISO 3166 alpha-2")
    workplace: str | None = UNSET
    specialty: str | None = code_field("specialty", default=UNSET)
    job_description: str | None = UNSET
    start_date: dt.date | None = UNSET
    end_date: dt.date | None = strawberry.field(default=UNSET,
                                                description="Null while it is current.")
    organization_type: str | None = code_field("organization_type", default=UNSET)
    certificate_id: strawberry.ID | None = UNSET


@strawberry.input
class UpdateExperienceInput(AddExperienceInput):
    id: strawberry.ID | None = UNSET


@strawberry.input
class RemoveExperienceInput:
    id: strawberry.ID | None = None


@strawberry.input
class RemoveLicenseInput:
    id: strawberry.ID | None = None


@strawberry.input
class AddLicenseInput:
    specialty: str | None = code_field("specialty", default=None)
    expiry_date: dt.date | None = None
    country: str | None = code_field("country", default=None)
    authority: str | None = None
    reference_number: str | None = None
    document_id: strawberry.ID | None = None


@strawberry.input(description="A licence changed as a whole; leave documentId out to keep "
                               "the document it has.")
class UpdateLicenseInput:
    id: strawberry.ID | None = UNSET
    specialty: str | None = code_field("specialty", default=UNSET)
    expiry_date: dt.date | None = UNSET
    country: str | None = code_field("country", default=UNSET)
    authority: str | None = UNSET
    reference_number: str | None = UNSET
    document_id: strawberry.ID | None = UNSET


@strawberry.input
class AddQualificationInput:
    degree: str | None = None
    institution: str | None = None
    country: str | None = code_field("country", default=None)
    awarded_on: dt.date | None = None
    verification_reference: str | None = None
    certificate_id: strawberry.ID | None = None


@strawberry.input
class SubmitCpdActivityInput:
    title: str | None = None
    provider: str | None = None
    accreditation_number: str | None = None
    hours: float | None = None
    completed_on: dt.date | None = None
    certificate_id: strawberry.ID | None = None
    activity_type: str | None = strawberry.field(default=None, description=(
        "LECTURE, WORKSHOP, CONFERENCE, ONLINE_COURSE, COURSE, SELF_LEARNING or OTHER; "
        "given, hours above what one activity of the type usually gives must be confirmed."))
    confirm_hours: bool | None = strawberry.field(default=None, description=(
        "True when the applicant confirms hours above what one activity of the type "
        "usually gives; otherwise such hours are a UserError on confirmHours."))


@strawberry.input
class PersonalDataChanges:
    first_name_ar: str | None = None
    father_name_ar: str | None = None
    grandfather_name_ar: str | None = None
    family_name_ar: str | None = None
    first_name_en: str | None = None
    father_name_en: str | None = None
    grandfather_name_en: str | None = None
    family_name_en: str | None = None
    date_of_birth: dt.date | None = None
    gender: str | None = strawberry.field(default=None, description="M or F")
    nationality: str | None = code_field("nationality", default=None)
    identity_number: str | None = None


@strawberry.input
class RequestPersonalDataChangeInput:
    registration_number: str | None = None
    changes: PersonalDataChanges | None = None
    document_ids: list[strawberry.ID] | None = None
    note: str | None = None


@strawberry.type
class PractitionerPayload:
    errors: list[UserError]
    practitioner: Practitioner | None = None


@strawberry.type
class ExperiencePayload:
    errors: list[UserError]
    experience: Experience | None = None


@strawberry.type
class LicensePayload:
    errors: list[UserError]
    license: License | None = None


@strawberry.type
class QualificationPayload:
    errors: list[UserError]
    qualification: Qualification | None = None


@strawberry.type
class RemovePayload:
    errors: list[UserError]
    removed_id: strawberry.ID | None = None


@strawberry.type
class CpdActivityPayload:
    errors: list[UserError]
    activity: CpdActivity | None = None
    application: Application | None = None


@strawberry.type
class ApplicationPayload:
    errors: list[UserError]
    application: Application | None = None


@strawberry.type
class RecordChange:
    at: dt.datetime
    what: str
    changes: strawberry.scalars.JSON
    application_id: strawberry.ID | None
    by_staff: bool = strawberry.field(description="Made by a reviewer or an admin (`by` "
                                                  "tells the three cases apart).")
    by: RecordChangeBy


@strawberry.enum(description="Who made a change to the record.")
class RecordChangeBy(Enum):
    YOU = "YOU"
    STAFF = "STAFF"
    SYSTEM = strawberry.enum_value(
        "SYSTEM", description="No person: the registry import, or an automatic decision.")


def _change_by(actor_id, own) -> RecordChangeBy:
    if actor_id is None:
        return RecordChangeBy.SYSTEM
    return RecordChangeBy.YOU if actor_id == own else RecordChangeBy.STAFF


@strawberry.type
class Query:
    @strawberry.field(description="The professional update record: changes to the signed-in "
                                  "practitioner's record, newest first.")
    async def record_history(self, info: Info, first: int | None = 50) -> list[RecordChange]:
        rows = await own_record.history(info.context, min(max(first or 50, 1), 100))
        own = info.context.account.id
        return [RecordChange(at=r.at, what=r.what, changes=r.changes,
                             application_id=strawberry.ID(str(r.application_id))
                             if r.application_id else None,
                             by_staff=r.actor_id is not None and r.actor_id != own,
                             by=_change_by(r.actor_id, own))
                for r in rows]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Links the signed-in account to an existing registry "
                                      "record; all three details must match.")
    async def claim_practitioner_record(self, info: Info, input: ClaimPractitionerRecordInput
                                        ) -> PractitionerPayload:
        async def run():
            row = await own_record.claim(info.context, input.registration_number or "",
                                            input.identity_number or "", input.date_of_birth)
            return {"practitioner": Practitioner.of(row)}
        return await mutation_payload(info, PractitionerPayload, run)

    @strawberry.mutation
    async def add_experience(self, info: Info, input: AddExperienceInput) -> ExperiencePayload:
        async def run():
            row = await entries.add_experience(info.context, sent(input))
            return {"experience": Experience.of(row)}
        return await mutation_payload(info, ExperiencePayload, run)

    @strawberry.mutation
    async def update_experience(self, info: Info,
                                input: UpdateExperienceInput) -> ExperiencePayload:
        async def run():
            data = sent(input)
            row = await entries.update_experience(info.context, data.pop("id", None),
                                                         data)
            return {"experience": Experience.of(row)}
        return await mutation_payload(info, ExperiencePayload, run)

    @strawberry.mutation
    async def remove_experience(self, info: Info, input: RemoveExperienceInput) -> RemovePayload:
        async def run():
            removed = await entries.remove_experience(info.context, input.id)
            return {"removed_id": strawberry.ID(removed)}
        return await mutation_payload(info, RemovePayload, run)

    @strawberry.mutation
    async def add_license(self, info: Info, input: AddLicenseInput) -> LicensePayload:
        async def run():
            row = await entries.add_license(info.context, sent(input))
            return {"license": License.of(row)}
        return await mutation_payload(info, LicensePayload, run)

    @strawberry.mutation
    async def update_license(self, info: Info, input: UpdateLicenseInput) -> LicensePayload:
        async def run():
            data = sent(input)
            row = await entries.update_license(info.context, data.pop("id", None),
                                                      data)
            return {"license": License.of(row)}
        return await mutation_payload(info, LicensePayload, run)

    @strawberry.mutation
    async def remove_license(self, info: Info, input: RemoveLicenseInput) -> RemovePayload:
        async def run():
            removed = await entries.remove_license(info.context, input.id)
            return {"removed_id": strawberry.ID(removed)}
        return await mutation_payload(info, RemovePayload, run)

    @strawberry.mutation
    async def add_qualification(self, info: Info,
                                input: AddQualificationInput) -> QualificationPayload:
        async def run():
            row = await entries.add_qualification(info.context, sent(input))
            return {"qualification": Qualification.of(row)}
        return await mutation_payload(info, QualificationPayload, run)

    @strawberry.mutation
    async def submit_cpd_activity(self, info: Info,
                                  input: SubmitCpdActivityInput) -> CpdActivityPayload:
        async def run():
            activity, application = await cpd.submit_activity(info.context, sent(input))
            return {"activity": CpdActivity.of(activity, None),
                    "application": Application.of(application)}
        return await mutation_payload(info, CpdActivityPayload, run)

    @strawberry.mutation
    async def request_personal_data_change(self, info: Info,
                                           input: RequestPersonalDataChangeInput
                                           ) -> ApplicationPayload:
        async def run():
            require_account(info.context)
            changes = strawberry.asdict(input.changes) if input.changes else {}
            changes = {_camel(k): v for k, v in changes.items()}
            application = await personal_data.request_change(
                info.context, input.registration_number or "", changes,
                list(input.document_ids or []), input.note or "")
            return {"application": Application.of(application)}
        return await mutation_payload(info, ApplicationPayload, run)
