"""Staff search: applications in any status found by the applicant's name (Arabic or
English, every word the start of a name part), identity number, registration number, or the
application's reference; and a practitioner's whole file (record, applications, payments,
certificates, history). Each search and each file opened is in the audit trail: both show
personal data."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from tortoise.expressions import Q

from server.domain.applications import parse_application_reference
from server.domain.errors import DomainError
from server.i18n import N_
from server.models.accounts import Account
from server.models.applications import Application
from server.models.certificates import Certificate
from server.models.payments import Payment
from server.models.practitioners import Practitioner, RecordChange, Registration
from server.resolvers.kernel import audit
from server.resolvers.kernel.access import require_staff
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid

MAX_QUERY_CHARS = 100
MAX_WORDS = 4
MAX_PEOPLE = 500  # matches a name can have before the search asks for more of it
FILE_HISTORY = 100
_NAME_COLUMNS = ("first_name_ar", "father_name_ar", "grandfather_name_ar", "family_name_ar",
                 "first_name_en", "father_name_en", "grandfather_name_en", "family_name_en")
_IDENTITY = re.compile(r"^[12]\d{9}$")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
TOO_SHORT = N_("Enter at least 2 characters: a name, an identity or registration number, "
               "or an application reference.")


def _words(query: str) -> list[str]:
    return [w for w in re.split(r"\s+", query) if w][:MAX_WORDS]


async def _people(query: str) -> tuple[list, list]:
    """(practitioner ids, account ids) the query names."""
    if _IDENTITY.match(query):
        return [p.id for p in await Practitioner.filter(identity_number=query)], []
    by_number = await Registration.filter(number__iexact=query).values_list(
        "practitioner_id", flat=True)
    if by_number:
        return list(by_number), []
    practitioners = Practitioner.all()
    accounts = Account.all()
    for word in _words(query):
        practitioners = practitioners.filter(
            Q(*[Q(**{f"{c}__istartswith": word}) for c in _NAME_COLUMNS], join_type="OR"))
        accounts = accounts.filter(Q(first_name__istartswith=word)
                                   | Q(family_name__istartswith=word))
    return (list(await practitioners.limit(MAX_PEOPLE).values_list("id", flat=True)),
            list(await accounts.filter(practitioner__id__isnull=True).limit(MAX_PEOPLE)
                 .values_list("id", flat=True)))


async def find_applications(ctx: Caller, query: str, first: int,
                            after: tuple[str, str] | None) -> tuple[list[Application], bool]:
    """Newest first, keyset-paginated on (created_at, id)."""
    staff = require_staff(ctx)
    query = " ".join((query or "").translate(_DIGITS).split())[:MAX_QUERY_CHARS]
    if len(query) < 2:
        raise DomainError("INVALID", "query", TOO_SHORT)
    reference = parse_application_reference(query)
    if reference:
        wanted = Q(reference=reference)
    else:
        practitioner_ids, account_ids = await _people(query)
        wanted = Q(practitioner_id__in=practitioner_ids) | Q(applicant_id__in=account_ids)
    rows_query = Application.filter(wanted)
    if after is not None:
        try:
            at, last_id = dt.datetime.fromisoformat(after[0]), uuid.UUID(after[1])
        except ValueError as error:
            raise DomainError("INVALID", "after") from error
        rows_query = rows_query.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=last_id))
    rows = await rows_query.order_by("-created_at", "-id").limit(first + 1)
    await audit.record("application.searched", actor=staff, ip=ctx.ip,
                       target_type="application", target_id="",
                       found=min(len(rows), first), page=after is not None)
    return rows[:first], len(rows) > first


async def practitioner_file(ctx: Caller, practitioner_id) -> dict | None:
    """{practitioner, applications, payments, certificates, history}; None for an unknown
    id. Each list in one query."""
    staff = require_staff(ctx)
    wanted = as_uuid(practitioner_id)
    practitioner = await Practitioner.get_or_none(id=wanted) if wanted else None
    if practitioner is None:
        return None
    await audit.record("practitioner.file_viewed", actor=staff, ip=ctx.ip,
                       target_type="practitioner", target_id=practitioner.id)
    return {
        "practitioner": practitioner,
        "applications": await Application.filter(practitioner_id=practitioner.id)
        .order_by("-created_at", "-id"),
        "payments": await Payment.filter(application__practitioner_id=practitioner.id)
        .select_related("application").order_by("-created_at", "-id"),
        "certificates": await Certificate.filter(practitioner_id=practitioner.id)
        .order_by("-issued_at"),
        "history": await RecordChange.filter(practitioner_id=practitioner.id)
        .order_by("-at", "-id").limit(FILE_HISTORY),
    }
