"""The practitioner's record over GraphQL. Lists are loaded per request through DataLoaders,
so `MyPractitioner` costs a constant number of queries however long the record is."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import strawberry
from strawberry import Info

from server import clock
from server.domain import codes
from server.domain import cpd as cpd_rules
from server.domain.identity import mask_identity
from server.domain.names import full_name
from server.domain.registry import registration_status
from server.i18n import hijri
from server.models.practitioners import (
    CpdActivity as CpdActivityModel,
)
from server.models.practitioners import (
    Experience as ExperienceModel,
)
from server.models.practitioners import (
    License as LicenseModel,
)
from server.models.practitioners import (
    Practitioner as PractitionerModel,
)
from server.models.practitioners import (
    Qualification as QualificationModel,
)
from server.models.practitioners import (
    Registration as RegistrationModel,
)
from server.schema.base import code_field
from server.schema.register.types import RegistrationStatus

# ------------------------------------------------------------------ loaders (one query each)


async def registrations_of(ids: list) -> list[RegistrationModel | None]:
    rows = {r.practitioner_id: r for r in await RegistrationModel.filter(practitioner_id__in=ids)}
    return [rows.get(i) for i in ids]


def _grouped(model, order: tuple[str, ...]):
    async def load(ids: list) -> list[list]:
        groups: dict = defaultdict(list)
        for row in await model.filter(practitioner_id__in=ids).order_by(*order):
            groups[row.practitioner_id].append(row)
        return [groups.get(i, []) for i in ids]

    load.__name__ = f"{model.__name__}_by_practitioner"
    return load


experiences_of = _grouped(ExperienceModel, ("-start_date",))
licenses_of = _grouped(LicenseModel, ("expiry_date",))
qualifications_of = _grouped(QualificationModel, ("-awarded_on",))
cpd_activities_of = _grouped(CpdActivityModel, ("-completed_on",))


async def recognised_cpd_of(ids: list) -> list[list[tuple]]:
    """(hours, completed on, True) of each practitioner's recognised activities: the CPD
    summary needs three columns of those rows, not every activity as a model."""
    groups: dict = defaultdict(list)
    rows = await CpdActivityModel.filter(practitioner_id__in=ids, status="RECOGNISED") \
        .values_list("practitioner_id", "recognised_hours", "hours", "completed_on")
    for practitioner_id, recognised, hours, completed_on in rows:
        groups[practitioner_id].append(
            (recognised if recognised is not None else hours, completed_on, True))
    return [groups.get(i, []) for i in ids]


async def practitioners_of_accounts(account_ids: list) -> list[PractitionerModel | None]:
    rows = {p.account_id: p for p in
            await PractitionerModel.filter(account_id__in=account_ids)}
    return [rows.get(i) for i in account_ids]


# ------------------------------------------------------------------ types

@strawberry.type
class DocumentRef:
    id: strawberry.ID


def _document(document_id) -> DocumentRef | None:
    return DocumentRef(id=strawberry.ID(str(document_id))) if document_id else None


@strawberry.type
class Registration:
    number: str
    status: RegistrationStatus
    valid_from: dt.date
    valid_until: dt.date
    rank: str = code_field("rank")
    specialty: str = code_field("specialty")
    days_left: int = strawberry.field(description="Days until valid_until (negative once "
                                                  "expired).")


def registration_type(row: RegistrationModel, today: dt.date) -> Registration:
    return Registration(
        number=row.number, valid_from=row.valid_from, valid_until=row.valid_until,
        status=RegistrationStatus(registration_status(row.valid_until, row.suspended, today)),
        rank=row.rank, specialty=row.specialty, days_left=(row.valid_until - today).days)


@strawberry.type
class Experience:
    id: strawberry.ID
    city: str
    country: str = code_field("country")
    workplace: str
    specialty: str = code_field("specialty")
    job_description: str
    start_date: dt.date
    end_date: dt.date | None
    organization_type: str = code_field("organization_type")
    certificate: DocumentRef | None

    @classmethod
    def of(cls, row: ExperienceModel) -> Experience:
        return cls(id=strawberry.ID(str(row.id)), city=row.city, country=row.country,
                   workplace=row.workplace, specialty=row.specialty,
                   job_description=row.job_description, start_date=row.start_date,
                   end_date=row.end_date, organization_type=row.organization_type,
                   certificate=_document(row.certificate_id))


@strawberry.type
class License:
    id: strawberry.ID
    specialty: str = code_field("specialty")
    expiry_date: dt.date
    country: str = code_field("country")
    authority: str
    reference_number: str
    document: DocumentRef | None

    @classmethod
    def of(cls, row: LicenseModel) -> License:
        return cls(id=strawberry.ID(str(row.id)), specialty=row.specialty,
                   expiry_date=row.expiry_date, country=row.country, authority=row.authority,
                   reference_number=row.reference_number, document=_document(row.document_id))


@strawberry.type
class Qualification:
    id: strawberry.ID
    degree: str
    institution: str
    country: str = code_field("country")
    awarded_on: dt.date
    verification_reference: str
    verification_outcome: str
    status: str
    certificate: DocumentRef | None

    @classmethod
    def of(cls, row: QualificationModel) -> Qualification:
        return cls(id=strawberry.ID(str(row.id)), degree=row.degree,
                   institution=row.institution, country=row.country,
                   awarded_on=row.awarded_on, status=row.status,
                   verification_reference=row.verification_reference,
                   verification_outcome=row.verification_outcome,
                   certificate=_document(row.certificate_id))


@strawberry.type
class CpdActivity:
    id: strawberry.ID
    title: str
    provider: str
    accreditation_number: str
    hours: str
    recognised_hours: str | None
    completed_on: dt.date
    status: str
    counts_in_current_period: bool

    @classmethod
    def of(cls, row: CpdActivityModel, period: cpd_rules.CpdPeriod | None) -> CpdActivity:
        return cls(id=strawberry.ID(str(row.id)), title=row.title, provider=row.provider,
                   accreditation_number=row.accreditation_number, hours=hours_text(row.hours),
                   recognised_hours=None if row.recognised_hours is None
                   else hours_text(row.recognised_hours),
                   completed_on=row.completed_on, status=row.status,
                   counts_in_current_period=period is not None
                   and cpd_rules.counts_in_period(row.completed_on, period))


def hours_text(value) -> str:
    """8.00 → "8", 1.50 → "1.5": hours as people write them."""
    return f"{Decimal(str(value)).normalize():f}"


@strawberry.type
class CpdSummary:
    period_start: dt.date
    period_end: dt.date
    required_hours: int
    earned_hours: float
    missing_hours: float
    exempt: bool


@strawberry.type
class Practitioner:
    model: strawberry.Private[PractitionerModel]
    id: strawberry.ID
    full_name_ar: str
    full_name_en: str
    first_name_ar: str
    father_name_ar: str
    grandfather_name_ar: str
    family_name_ar: str
    first_name_en: str
    father_name_en: str
    grandfather_name_en: str
    family_name_en: str
    date_of_birth: dt.date
    date_of_birth_hijri: str
    gender: str = code_field("gender")
    nationality: str = code_field("nationality")
    identity_type: str = code_field("identity_type")
    identity_number: str = strawberry.field(
        description="Masked to its last 4 digits (PDPL): ••••••0008.")
    category: str = code_field("category")
    specialty: str = code_field("specialty")
    rank: str = code_field("rank")

    @classmethod
    def of(cls, p: PractitionerModel) -> Practitioner:
        return cls(
            model=p, id=strawberry.ID(str(p.id)),
            full_name_ar=full_name([p.first_name_ar, p.father_name_ar, p.grandfather_name_ar,
                                    p.family_name_ar]),
            full_name_en=full_name([p.first_name_en, p.father_name_en, p.grandfather_name_en,
                                    p.family_name_en]),
            first_name_ar=p.first_name_ar, father_name_ar=p.father_name_ar,
            grandfather_name_ar=p.grandfather_name_ar, family_name_ar=p.family_name_ar,
            first_name_en=p.first_name_en, father_name_en=p.father_name_en,
            grandfather_name_en=p.grandfather_name_en, family_name_en=p.family_name_en,
            date_of_birth=p.date_of_birth, date_of_birth_hijri=hijri(p.date_of_birth),
            gender=p.gender, nationality=p.nationality, identity_type=p.identity_type,
            identity_number=mask_identity(p.identity_number), category=p.category,
            specialty=p.specialty, rank=p.rank)

    @strawberry.field
    def category_label(self, info: Info) -> str:
        return codes.label("category", self.category, info.context.lang) or self.category

    @strawberry.field
    def specialty_label(self, info: Info) -> str:
        return codes.label("specialty", self.specialty, info.context.lang) or self.specialty

    @strawberry.field
    def rank_label(self, info: Info) -> str:
        return codes.label("rank", self.rank, info.context.lang) or self.rank

    async def _registration(self, info: Info) -> RegistrationModel | None:
        return await info.context.loaders.get(registrations_of).load(self.model.id)

    @strawberry.field
    async def registration_number(self, info: Info) -> str | None:
        row = await self._registration(info)
        return row.number if row else None

    @strawberry.field
    async def registration(self, info: Info) -> Registration | None:
        row = await self._registration(info)
        return registration_type(row, clock.today()) if row else None

    @strawberry.field
    async def experiences(self, info: Info) -> list[Experience]:
        rows = await info.context.loaders.get(experiences_of).load(self.model.id)
        return [Experience.of(r) for r in rows]

    @strawberry.field
    async def licenses(self, info: Info) -> list[License]:
        rows = await info.context.loaders.get(licenses_of).load(self.model.id)
        return [License.of(r) for r in rows]

    @strawberry.field
    async def qualifications(self, info: Info) -> list[Qualification]:
        rows = await info.context.loaders.get(qualifications_of).load(self.model.id)
        return [Qualification.of(r) for r in rows]

    async def _period(self, info: Info) -> cpd_rules.CpdPeriod | None:
        row = await self._registration(info)
        return cpd_rules.current_period(row.valid_from, row.valid_until) if row else None

    @strawberry.field
    async def cpd_activities(self, info: Info) -> list[CpdActivity]:
        rows = await info.context.loaders.get(cpd_activities_of).load(self.model.id)
        period = await self._period(info)
        return [CpdActivity.of(r, period) for r in rows]

    @strawberry.field(description="CPD hours of the current registration period; null "
                                  "without a registration.")
    async def cpd(self, info: Info) -> CpdSummary | None:
        period = await self._period(info)
        if period is None:
            return None
        recognised = await info.context.loaders.get(recognised_cpd_of).load(self.model.id)
        p = self.model
        exempt = cpd_rules.is_exempt(is_trainee=p.is_trainee, is_practising=p.is_practising)
        summary = cpd_rules.summarize(p.category, p.rank, period, recognised, exempt=exempt)
        return CpdSummary(period_start=summary.period_start, period_end=summary.period_end,
                          required_hours=summary.required,
                          earned_hours=float(summary.earned),
                          missing_hours=float(summary.missing), exempt=exempt)

