"""Practitioners on the register, for the search and FHIR tests."""

from __future__ import annotations

import datetime as dt
import itertools

from server.clock import today
from server.domain.identity import saudi_id_check_digit
from server.models.practitioners import Practitioner, Registration

_serial = itertools.count(1)

SEARCH = """query SearchRegister($query: String!, $category: String, $specialty: String,
    $status: RegistrationStatus, $first: Int, $after: String) {
  searchRegister(query: $query, category: $category, specialty: $specialty, status: $status,
                 first: $first, after: $after) {
    edges { cursor node { registrationNumber fullNameAr fullNameEn category specialty rank
                          status validUntil } }
    pageInfo { hasNextPage endCursor }
    moreNotShown
    errors { field code message }
  }
}"""


def identity_number(serial: int) -> str:
    body = f"1{serial:08d}"
    return body + str(saudi_id_check_digit(body))


async def registered(first_ar: str = "محمد", family_ar: str = "القحطاني",
                     first_en: str = "Mohammed", family_en: str = "Al-Qahtani", *,
                     number: str | None = None, category: str = "PHYSICIAN",
                     specialty: str = "INTERNAL_MEDICINE", rank: str = "CONSULTANT",
                     valid_until: dt.date | None = None, suspended: bool = False,
                     father_ar: str = "سعد", father_en: str = "Saad",
                     gender: str = "M") -> Practitioner:
    serial = next(_serial)
    person = await Practitioner.create(
        identity_type="NATIONAL_ID", identity_number=identity_number(serial),
        first_name_ar=first_ar, father_name_ar=father_ar, grandfather_name_ar="",
        family_name_ar=family_ar, first_name_en=first_en, father_name_en=father_en,
        grandfather_name_en="", family_name_en=family_en, date_of_birth=dt.date(1984, 7, 19),
        gender=gender, nationality="SA", category=category, specialty=specialty, rank=rank)
    await Registration.create(
        practitioner=person, number=number or f"25-R-{serial:07d}", rank=rank,
        specialty=specialty, valid_from=dt.date(2025, 3, 1),
        valid_until=valid_until or today() + dt.timedelta(days=400), suspended=suspended)
    return person
