"""The practitioner's own record: claiming an imported record, reading it, and the history
of changes to it."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from server import clock
from server.domain import applications as app_rules
from server.domain import cpd as cpd_rules
from server.domain.errors import DomainError, Problems
from server.domain.identity import normalize_digits
from server.i18n import N_
from server.models.practitioners import CpdActivity, Practitioner, RecordChange, Registration
from server.resolvers.kernel import audit, limits
from server.resolvers.kernel.access import require_account, require_practitioner
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.inputs import parse_date

CLAIM_TRIES_PER_DAY = 5


async def claim(ctx: Caller, registration_number: str, identity_number: str,
                date_of_birth) -> Practitioner:
    """All three must match the record; 5 failed tries per account per day."""
    account = require_account(ctx)
    problems = Problems()
    number = app_rules.normalize_registration_number(registration_number or "")
    if not number:
        problems.add("REQUIRED", "registrationNumber",
                     N_("Enter your registration number."))
    identity = normalize_digits(identity_number or "").strip().upper()
    if not identity:
        problems.add("REQUIRED", "identityNumber",
                     N_("Enter your national ID, Iqama or passport number."))
    born = parse_date(date_of_birth, "dateOfBirth", problems)
    problems.raise_if_any()
    if await Practitioner.exists(account_id=account.id):
        raise DomainError("INVALID_STATE", None, N_(
            "Your account is already linked to a registration record."))

    wait = await limits.hit(f"claim:{account.id}", CLAIM_TRIES_PER_DAY,
                               dt.timedelta(days=1))
    if wait is not None:
        raise limits.rate_limited(wait)
    registration = await Registration.get_or_none(number=number).select_related("practitioner")
    practitioner = registration.practitioner if registration else None
    if practitioner is None or practitioner.identity_number != identity \
            or practitioner.date_of_birth != born:
        await audit.record("claim.failed", actor=account, ip=ctx.ip, number=number)
        raise DomainError("NOT_FOUND", None, N_(
            "No record matches these details. Check them against your registration card."))
    if practitioner.account_id is not None:
        await audit.record("claim.conflict", actor=account, ip=ctx.ip,
                           target_type="practitioner", target_id=practitioner.id,
                           claimed_by=str(practitioner.account_id))
        raise DomainError("NOT_ALLOWED", None, N_(
            "This record is already linked to another account. Contact support: we will "
            "check who it belongs to."))
    async with in_transaction():
        linked = await Practitioner.filter(id=practitioner.id, account_id=None) \
            .update(account_id=account.id, claimed_at=clock.now())
        if linked != 1:  # another account claimed it in the meantime
            raise DomainError("NOT_ALLOWED", None, N_(
                "This record is already linked to another account. Contact support: we "
                "will check who it belongs to."))
        await RecordChange.create(practitioner=practitioner, actor_id=account.id,
                                  what="RECORD_CLAIMED", changes={})
        await audit.record("claim.succeeded", actor=account, ip=ctx.ip,
                           target_type="practitioner", target_id=practitioner.id)
    practitioner.account_id = account.id
    return practitioner


async def history(ctx: Caller, first: int = 50) -> list[RecordChange]:
    practitioner = await require_practitioner(ctx)
    return await RecordChange.filter(practitioner_id=practitioner.id) \
        .order_by("-at", "-id").limit(first)


async def cpd_summaries(practitioners: list[Practitioner], registrations: dict,
                        today: dt.date) -> dict:
    """practitioner id → CpdSummary for the current registration period, in one query."""
    ids = [p.id for p in practitioners if registrations.get(p.id) is not None]
    activities: dict = {pid: [] for pid in ids}
    if ids:
        for row in await CpdActivity.filter(practitioner_id__in=ids, status="RECOGNISED") \
                .values("practitioner_id", "recognised_hours", "hours", "completed_on"):
            hours = row["recognised_hours"] if row["recognised_hours"] is not None \
                else row["hours"]
            activities[row["practitioner_id"]].append((hours, row["completed_on"], True))
    found = {}
    for practitioner in practitioners:
        registration = registrations.get(practitioner.id)
        if registration is None:
            continue
        period = cpd_rules.current_period(registration.valid_from, registration.valid_until)
        exempt = cpd_rules.is_exempt(is_trainee=practitioner.is_trainee,
                                     is_practising=practitioner.is_practising)
        found[practitioner.id] = cpd_rules.summarize(
            practitioner.category, practitioner.rank, period,
            activities.get(practitioner.id, []), exempt=exempt)
    return found
