"""The public register: what anyone (employers, patients, a card's QR code) may see of a
practitioner. Deliberately narrow: no identity number, birth date or contact details."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from server.domain import codes
from server.resolvers.register import lookup
from server.schema.base import WHY_STRING
from server.schema.register.types import RegistrationStatus


@strawberry.type(description="A practitioner as the public register shows them.")
class PublicPractitioner:
    registration_number: str
    full_name_ar: str
    full_name_en: str
    category: str = strawberry.field(description="A category code, e.g. PHYSICIAN. " + WHY_STRING)
    specialty: str = strawberry.field(description="A specialty code, e.g. INTERNAL_MEDICINE. "
                                                  + WHY_STRING)
    rank: str = strawberry.field(description="A rank code, e.g. CONSULTANT. " + WHY_STRING)
    status: RegistrationStatus
    valid_until: dt.date = strawberry.field(description="The last day of validity.")

    @strawberry.field(description="The category in the request's language.")
    def category_label(self, info: Info) -> str:
        return _label("category", self.category, info)

    @strawberry.field(description="The specialty in the request's language.")
    def specialty_label(self, info: Info) -> str:
        return _label("specialty", self.specialty, info)

    @strawberry.field(description="The rank in the request's language.")
    def rank_label(self, info: Info) -> str:
        return _label("rank", self.rank, info)

    @classmethod
    def from_entry(cls, entry: lookup.PublicEntry) -> PublicPractitioner:
        return cls(
            registration_number=entry["registration_number"],
            full_name_ar=entry["full_name_ar"],
            full_name_en=entry["full_name_en"],
            category=entry["category"],
            specialty=entry["specialty"],
            rank=entry["rank"],
            status=entry["status"],
            valid_until=entry["valid_until"],
        )


def _label(kind: str, code: str, info: Info) -> str:
    # An imported record may carry a code the lists no longer have: show the code itself
    # rather than nothing.
    return codes.label(kind, code, info.context.lang) or code


@strawberry.type
class Query:
    @strawberry.field(description="The public register entry for a registration number "
                                  "(Arabic digits and lower case accepted); null if none.")
    async def verify_practitioner(self, registration_number: str) -> PublicPractitioner | None:
        entry = await lookup.verify_practitioner(registration_number)
        return PublicPractitioner.from_entry(entry) if entry else None
