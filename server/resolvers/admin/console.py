"""The admin console's use cases (staff with the ADMIN role): staff accounts, suspending and
reinstating a registration, and the policy action that extends registrations in bulk.
Money and messages are in admin_money.py, the audit log in admin_audit.py; the settings
(fees, questions, review targets) in settings.py. Every change is audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server import clock
from server.domain import otp
from server.domain.applications import normalize_registration_number
from server.domain.dates import add_months
from server.domain.errors import DomainError, Problems
from server.i18n import N_, direction, gettext
from server.models.accounts import Account, Session
from server.models.certificates import Certificate
from server.models.outbox import OutboxMessage
from server.models.practitioners import Practitioner, RecordChange, Registration
from server.resolvers.accounts import staff
from server.resolvers.admin import approvals
from server.resolvers.employers import events as employer_events
from server.resolvers.kernel import audit, notify
from server.resolvers.kernel.access import require_role
from server.resolvers.kernel.caller import Caller
from server.resolvers.kernel.ids import as_uuid
from server.resolvers.kernel.inputs import parse_date
from server.resolvers.kernel.record_history import record_change
from server.templating import environment, render_block

MAX_EXTENSION_MONTHS = 24
MAX_REASON = 500

STATUS_MESSAGES = {
    "SUSPENDED": N_("Your professional registration %(number)s is suspended."),
    "REINSTATED": N_("Your professional registration %(number)s is reinstated."),
    "EXTENDED": N_("Your professional registration %(number)s is extended to %(date)s."),
}


def require_admin(ctx: Caller) -> Account:
    return require_role(ctx, "ADMIN")


def parse_uuid(value, field: str) -> uuid.UUID:
    """An id from the caller, or NOT_FOUND on `field` (server.resolvers.ids.as_uuid)."""
    found = as_uuid(value)
    if found is None:
        raise DomainError("NOT_FOUND", field)
    return found


# ------------------------------------------------------------------ staff accounts

def _staff_filter() -> Q:
    return Q(roles__contains="REVIEWER") | Q(roles__contains="ADMIN")


async def list_staff(ctx: Caller) -> list[Account]:
    require_admin(ctx)
    return await Account.filter(_staff_filter()).order_by("email").limit(500)


async def create_staff(ctx: Caller, email: str, role: str, password: str, first_name: str = "",
                       family_name: str = "") -> tuple[Account, str, str | None]:
    """Returns the account, the otpauth:// URI and the password the server made (None when
    one was given), shown once. The person must change the password at first sign-in."""
    admin = require_admin(ctx)
    made = None if password else staff.temporary_password()
    account, uri = await staff.create_staff(str(email or ""), str(role or "").lower(),
                                            str(password or made), str(first_name or "").strip(),
                                            str(family_name or "").strip(),
                                            must_change_password=True)
    await audit.record("admin.staff_created", actor=admin, target_type="account",
                       target_id=account.id, ip=ctx.ip, role=account.roles)
    return account, uri, made


async def _staff_account(account_id) -> Account:
    found = await Account.get_or_none(_staff_filter(), id=parse_uuid(account_id, "accountId"))
    if found is None:
        raise DomainError("NOT_FOUND", "accountId")
    return found


async def disable_staff(ctx: Caller, account_id) -> Account:
    admin = require_admin(ctx)
    account = await _staff_account(account_id)
    if account.id == admin.id:
        raise DomainError("NOT_ALLOWED", "accountId", N_(
            "You cannot disable your own account. Ask another admin."))
    if account.status == "DISABLED":
        raise DomainError("INVALID_STATE", "accountId", N_("This account is already disabled."))
    async with in_transaction():
        await Account.filter(id=account.id).update(status="DISABLED")
        ended = await Session.filter(account_id=account.id).delete()
        await audit.record("admin.staff_disabled", actor=admin, target_type="account",
                           target_id=account.id, ip=ctx.ip, sessions_ended=ended)
    account.status = "DISABLED"
    return account


async def enable_staff(ctx: Caller, account_id) -> Account:
    """A disabled staff account may sign in again (with its password and authenticator)."""
    admin = require_admin(ctx)
    account = await _staff_account(account_id)
    if account.status != "DISABLED":
        raise DomainError("INVALID_STATE", "accountId", N_("This account is not disabled."))
    async with in_transaction():
        changed = await Account.filter(id=account.id, status="DISABLED").update(
            status="ACTIVE", failed_logins=0, locked_at=None)
        if changed != 1:
            raise DomainError("INVALID_STATE", "accountId", N_(
                "This account changed meanwhile."))
        await audit.record("admin.staff_enabled", actor=admin, target_type="account",
                           target_id=account.id, ip=ctx.ip)
    account.status = "ACTIVE"
    return account


async def reset_authenticator(ctx: Caller, account_id) -> tuple[Account, str]:
    """A new authenticator secret (the old app stops working) and every session ended."""
    admin = require_admin(ctx)
    account = await _staff_account(account_id)
    secret = otp.new_totp_secret()
    async with in_transaction():
        await Account.filter(id=account.id).update(totp_secret=secret,
                                                   totp_pending_secret=None, totp_last_step=0)
        ended = await Session.filter(account_id=account.id).delete()
        await audit.record("admin.staff_authenticator_reset", actor=admin,
                           target_type="account", target_id=account.id, ip=ctx.ip,
                           sessions_ended=ended)
    return account, otp.otpauth_uri(secret, account.email)


# ------------------------------------------------------------------ suspension

async def registration_by_number(ctx: Caller, number: str) -> Registration | None:
    require_admin(ctx)
    normalized = normalize_registration_number(number or "")
    if not normalized:
        return None
    return await Registration.get_or_none(number=normalized).select_related("practitioner")


def _reason(value: str, problems: Problems) -> str:
    reason = " ".join(str(value or "").split())
    if not reason:
        problems.add("REQUIRED", "reason", N_("Give the reason: it is recorded and the "
                                              "practitioner sees it."))
    elif len(reason) > MAX_REASON:
        problems.add("INVALID", "reason", N_("At most 500 characters."))
    return reason


async def set_suspended(ctx: Caller, number: str, reason: str, suspend: bool,
                        approved: bool = False):
    """A suspension is done at once and a second admin confirms it afterwards; a
    reinstatement waits for a second admin (four eyes: approvals.py) unless `approved`.
    Returns the registration and the approval request made, if any."""
    admin = require_admin(ctx)
    problems = Problems()
    if not str(number or "").strip():
        problems.add("REQUIRED", "registrationNumber", N_("Enter the registration number."))
    reason = _reason(reason, problems)
    problems.raise_if_any()
    registration = await registration_by_number(ctx, number)
    if registration is None:
        raise DomainError("NOT_FOUND", "registrationNumber", N_(
            "No registration has this number."))
    if registration.suspended == suspend:
        raise DomainError("INVALID_STATE", "registrationNumber", N_(
            "This registration is already suspended.") if suspend else N_(
            "This registration is not suspended."))
    if not suspend and not approved:
        if await approvals.pending_for(approvals.REINSTATE_REGISTRATION,
                                       registration.number):
            raise DomainError("INVALID_STATE", "registrationNumber", N_(
                "A reinstatement of this registration is already waiting for a second "
                "admin."))
        async with in_transaction():
            request = await approvals.ask(ctx, approvals.REINSTATE_REGISTRATION, {
                "number": registration.number, "reason": reason},
                f"{registration.number}: {reason}", target=registration.number)
        return registration, request
    what = "REGISTRATION_SUSPENDED" if suspend else "REGISTRATION_REINSTATED"
    async with in_transaction():
        changed = await Registration.filter(id=registration.id, suspended=not suspend).update(
            suspended=suspend, suspended_reason=reason if suspend else "")
        if changed != 1:
            raise DomainError("INVALID_STATE", None, N_("This registration changed meanwhile."))
        revoked = 0
        if suspend:
            # A good-standing certificate attests an active registration: it no longer
            # holds (its QR check says "revoked"); after reinstatement, a new one is issued.
            revoked = await Certificate.filter(
                practitioner_id=registration.practitioner_id, kind="GOOD_STANDING",
                revoked_at=None).update(revoked_at=clock.now())
        await record_change(registration.practitioner_id, admin.id, what, {
            "number": registration.number, "reason": reason})
        registration.suspended = suspend
        await employer_events.registration_changed(
            registration, "registration.suspended" if suspend else "registration.reinstated")
        await audit.record(f"admin.{what.lower()}", actor=admin, target_type="registration",
                           target_id=registration.number, ip=ctx.ip, reason=reason,
                           certificates_revoked=revoked)
        account = await Account.get_or_none(id=registration.practitioner.account_id) \
            if registration.practitioner.account_id else None
        if account is not None:
            status = "SUSPENDED" if suspend else "REINSTATED"
            await notify.email(ctx.settings, account.email, account.language,
                               "registration_status", name=account.first_name,
                               status=status, number=registration.number, reason=reason,
                               message=gettext(account.language, STATUS_MESSAGES[status],
                                               number=registration.number))
        request = await approvals.ask(ctx, approvals.CONFIRM_SUSPENSION, {
            "number": registration.number, "reason": reason},
            f"{registration.number}: {reason}", target=registration.number) \
            if suspend else None
    registration.suspended = suspend
    registration.suspended_reason = reason if suspend else ""
    return registration, request


# ------------------------------------------------------------------ policy action

def _email_payload(settings, lang: str, values: dict) -> dict:
    """What notify.email renders, for a batch written with one INSERT."""
    name = "email/registration_status.html"
    data = {"lang": lang, "dir": direction(lang), "base_url": settings.base_url, **values}
    return {"subject": " ".join(render_block(name, "subject", **data).split()),
            "text": render_block(name, "text", **data).strip() + "\n",
            "html": environment().get_template(name).render(**data)}


def extension_window(expiring_from, expiring_to, months) -> tuple[dt.date, dt.date, int]:
    problems = Problems()
    start = parse_date(expiring_from, "expiringFrom", problems)
    end = parse_date(expiring_to, "expiringTo", problems)
    if start and end and start > end:
        problems.add("INVALID", "expiringTo", N_("The end of the window must not be before "
                                                 "its start."))
    if not isinstance(months, int) or isinstance(months, bool) \
            or not 1 <= months <= MAX_EXTENSION_MONTHS:
        problems.add("INVALID", "months", N_("Enter whole months, from 1 to 24."))
    problems.raise_if_any()
    return start, end, months


async def extension_preview(ctx: Caller, expiring_from, expiring_to, months,
                            first: int | None = 100) -> tuple[int, list[dict]]:
    """How many registrations the extension would change, and who (the first `first` by
    expiry date, or all with None: the CSV), with their dates before and after."""
    require_admin(ctx)
    start, end, months = extension_window(expiring_from, expiring_to, months)
    query = Registration.filter(valid_until__gte=start, valid_until__lte=end)
    count = await query.count()
    rows = query.order_by("valid_until", "number")
    if first is not None:
        rows = rows.limit(first)
    found = await rows.values("number", "valid_until", "suspended",
                              first_name_ar="practitioner__first_name_ar",
                              family_name_ar="practitioner__family_name_ar",
                              first_name_en="practitioner__first_name_en",
                              family_name_en="practitioner__family_name_en")
    for row in found:
        row["new_valid_until"] = add_months(row["valid_until"], months)
    return count, found


async def extend_registrations(ctx: Caller, expiring_from, expiring_to, months):
    """Asks a second admin to extend every registration whose valid_until falls in
    [from, to] by `months` (four eyes); apply_extension does it once approved."""
    require_admin(ctx)
    start, end, months = extension_window(expiring_from, expiring_to, months)
    count = await Registration.filter(valid_until__gte=start, valid_until__lte=end).count()
    if not count:
        raise DomainError("INVALID_STATE", "expiringFrom", N_(
            "No registration expires in this window: there is nothing to extend."))
    async with in_transaction():
        return await approvals.ask(ctx, approvals.EXTEND_REGISTRATIONS, {
            "expiring_from": start.isoformat(), "expiring_to": end.isoformat(),
            "months": months, "count": count},
            f"{start.isoformat()} – {end.isoformat()}: +{months}, {count}")


async def apply_extension(ctx: Caller, requested_by_id, expiring_from, expiring_to,
                          months) -> list[dict]:
    """Every registration whose valid_until falls in [from, to] is extended by `months`;
    one transaction, a RecordChange per practitioner, an email to each who has an
    account. Reads are one query whatever the number of registrations. Returns what was
    done: [{number, before, after}] (for the list after, and for undo)."""
    admin = require_admin(ctx)
    start, end, months = extension_window(expiring_from, expiring_to, months)
    now = clock.now()
    async with in_transaction():
        query = Registration.filter(valid_until__gte=start, valid_until__lte=end)
        # Locked until the commit (PostgreSQL), so a renewal approved meanwhile waits.
        rows = await query.select_for_update().values("id", "number", "valid_until",
                                                      "practitioner_id", "suspended")
        accounts = {row["id"]: row for row in await Practitioner.filter(
            id__in=list({row["practitioner_id"] for row in rows}),
            account_id__not_isnull=True).values(
            "id", "account_id", email="account__email", language="account__language",
            first_name="account__first_name")} if rows else {}
        by_date: dict[dt.date, list[int]] = defaultdict(list)
        for row in rows:
            by_date[row["valid_until"]].append(row["id"])
        for old, ids in by_date.items():  # one UPDATE per distinct expiry date
            await Registration.filter(id__in=ids).update(valid_until=add_months(old, months))
        if rows:
            await RecordChange.bulk_create([RecordChange(
                practitioner_id=row["practitioner_id"], actor_id=requested_by_id,
                what="REGISTRATION_EXTENDED", changes={
                    "number": row["number"], "months": months,
                    "valid_until": {"before": row["valid_until"].isoformat(),
                                    "after": add_months(row["valid_until"],
                                                        months).isoformat()}})
                for row in rows])
            await employer_events.registrations_extended(
                rows, lambda before: add_months(before, months))
            messages = []
            for row in rows:
                account = accounts.get(row["practitioner_id"])
                if account is None or not account["email"]:
                    continue
                lang = account["language"] or "ar"
                until = add_months(row["valid_until"], months)
                messages.append(OutboxMessage(
                    channel="email", recipient=account["email"], next_attempt_at=now,
                    account_id=account["account_id"],
                    payload=_email_payload(ctx.settings, lang, {
                        "name": account["first_name"],
                        "status": "EXTENDED", "number": row["number"], "reason": "",
                        "valid_until": until,
                        "message": gettext(lang, STATUS_MESSAGES["EXTENDED"],
                                           number=row["number"], date=until.isoformat())})))
            if messages:
                await OutboxMessage.bulk_create(messages)
        await audit.record("admin.registrations_extended", actor=admin,
                           target_type="registration", ip=ctx.ip, expiring_from=start.isoformat(),
                           expiring_to=end.isoformat(), months=months, count=len(rows),
                           requested_by=str(requested_by_id))
    return [{"number": row["number"], "before": row["valid_until"].isoformat(),
             "after": add_months(row["valid_until"], months).isoformat()} for row in rows]


async def undo_extension(ctx: Caller, done: list[dict]) -> int:
    """Puts back the dates a mass extension moved, for each registration still at the date
    it was moved to (one renewed since keeps its renewal). Returns how many went back."""
    admin = require_admin(ctx)
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in done:
        pairs[(row["after"], row["before"])].append(row["number"])
    undone = []
    async with in_transaction():
        for (after, before), numbers in pairs.items():  # one UPDATE per pair of dates
            back = dt.date.fromisoformat(before)
            moved = await Registration.filter(number__in=numbers, valid_until=after
                                              ).select_for_update().values(
                "id", "number", "valid_until", "practitioner_id", "suspended")
            if not moved:
                continue
            await Registration.filter(id__in=[r["id"] for r in moved]).update(valid_until=back)
            # Employers watching these registrations learn the date they are back to.
            await employer_events.registrations_extended(moved, lambda _, back=back: back)
            undone.extend((row, back) for row in moved)
        if undone:
            await RecordChange.bulk_create([RecordChange(
                practitioner_id=row["practitioner_id"], actor_id=admin.id,
                what="REGISTRATION_EXTENSION_UNDONE", changes={
                    "number": row["number"],
                    "valid_until": {"before": row["valid_until"].isoformat(),
                                    "after": back.isoformat()}})
                for row, back in undone])
        await audit.record("admin.registrations_extension_undone", actor=admin,
                           target_type="registration", ip=ctx.ip, count=len(undone))
    return len(undone)
