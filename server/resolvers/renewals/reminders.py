"""Renewal reminders: an email and an SMS, in the practitioner's language, 90, 60, 30 and 7
days before a registration expires, with the CPD hours still missing. The outbox worker
calls `send_due_reminders` every few minutes.

Each threshold is sent once per expiry date: its messages carry the dedupe key
`reminder:{registration_id}:{valid_until}:{days}` (the SMS `sms:` + that key), and
OutboxMessage.dedupe_key is unique, so restarts and several workers queue it once. A renewed
registration has a new `valid_until`, hence new keys and fresh reminders. A worker that was
down on the exact day catches up: a threshold crossed in the last CATCH_UP_DAYS days is still
sent if it was not yet.

Who gets one: claimed records (an account is linked) whose registration is not suspended.
A practitioner with an open renewal application:
- that waits for them (DRAFT, AWAITING_PAYMENT, RETURNED) gets a "finish your renewal"
  reminder instead, linking to that application;
- that waits for the regulator (SUBMITTED, IN_REVIEW) gets none: there is nothing for them
  to do, and the application's own status messages keep them informed.

Queries are batched: a constant number per BATCH registrations (the registrations with their
practitioner and account, the open renewals, the CPD activities, the keys already queued, one
bulk insert), whatever the number of practitioners.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import clock
from server.config import Settings
from server.domain.cpd import CpdSummary
from server.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, direction, format_date, gettext
from server.models.accounts import Account
from server.models.applications import Application
from server.models.outbox import OutboxMessage
from server.models.practitioners import Registration
from server.resolvers.record.own_record import cpd_summaries
from server.resolvers.renewals.renewing import OPEN_STATUSES
from server.templating import environment, render_block

log = logging.getLogger("sijil.reminders")

THRESHOLDS = (90, 60, 30, 7)  # days before valid_until
CATCH_UP_DAYS = 3  # a threshold crossed up to this many days ago is still sent
BATCH = 500
# Open renewals that wait for the practitioner: they get a "finish your renewal" reminder.
WAITING_FOR_APPLICANT = ("DRAFT", "AWAITING_PAYMENT", "RETURNED")
TEMPLATE = "email/renewal_reminder.html"

SMS_RENEW = N_("Sijil: your professional registration expires on %(date)s. Renew it at "
               "%(url)s")
SMS_RENEW_CPD = N_("Sijil: your professional registration expires on %(date)s. CPD hours "
                   "still missing: %(missing)s. Renew it at %(url)s")
SMS_FINISH = N_("Sijil: your renewal is not finished and your professional registration "
                "expires on %(date)s. Finish it at %(url)s")


def due_threshold(days_left: int) -> int | None:
    """The threshold whose reminder is due `days_left` days before expiry: days_left is the
    threshold itself, or up to CATCH_UP_DAYS fewer (a missed day)."""
    for days in THRESHOLDS:
        if days - CATCH_UP_DAYS <= days_left <= days:
            return days
    return None


def due_dates(today: dt.date) -> list[dt.date]:
    """Every valid_until that has a reminder due today."""
    return [today + dt.timedelta(days=left) for days in THRESHOLDS
            for left in range(days - CATCH_UP_DAYS, days + 1)]


def reminder_key(registration_id: int, valid_until: dt.date, days: int) -> str:
    return f"reminder:{registration_id}:{valid_until.isoformat()}:{days}"


async def send_due_reminders(settings: Settings, today: dt.date | None = None) -> int:
    """Queues the reminders due on `today` (the Kingdom's date by default) that are not
    queued yet; returns how many messages (emails and SMS) it queued."""
    if today is None:
        today = clock.today()
    dates = due_dates(today)
    queued, after = 0, 0
    while True:
        batch = await Registration.filter(
            valid_until__in=dates, suspended=False, practitioner__account_id__isnull=False,
            id__gt=after,
        ).select_related("practitioner__account").order_by("id").limit(BATCH)
        if batch:
            queued += await _remind(settings, batch, today)
        if len(batch) < BATCH:
            break
        after = batch[-1].id
    if queued:
        log.info("queued %s renewal reminder message(s)", queued)
    return queued


@dataclass(frozen=True)
class _Due:
    registration: Registration
    account: Account
    days_left: int
    key: str
    renewal_id: str | None  # an open renewal waiting for the practitioner


async def _remind(settings: Settings, batch: list[Registration], today: dt.date) -> int:
    by_practitioner = {r.practitioner_id: r for r in batch}
    open_renewals: dict = {}
    for row in await Application.filter(
            practitioner_id__in=list(by_practitioner), kind="RENEWAL",
            status__in=OPEN_STATUSES).order_by("created_at").values(
            "id", "practitioner_id", "status"):
        open_renewals[row["practitioner_id"]] = row

    due: list[_Due] = []
    for registration in batch:
        days_left = (registration.valid_until - today).days
        days = due_threshold(days_left)
        renewal = open_renewals.get(registration.practitioner_id)
        if days is None or (renewal and renewal["status"] not in WAITING_FOR_APPLICANT):
            continue
        due.append(_Due(registration, registration.practitioner.account, days_left,
                        reminder_key(registration.id, registration.valid_until, days),
                        str(renewal["id"]) if renewal else None))
    if not due:
        return 0

    wanted = [key for d in due for key in (d.key, f"sms:{d.key}")]
    queued = set(await OutboxMessage.filter(dedupe_key__in=wanted)
                 .values_list("dedupe_key", flat=True))
    due = [d for d in due if d.key not in queued or f"sms:{d.key}" not in queued]
    if not due:
        return 0

    summaries = await _cpd(batch, {d.registration.practitioner_id for d in due}, today)
    moment = clock.now()
    messages: list[OutboxMessage] = []
    for d in due:
        lang = d.account.language if d.account.language in LANGUAGES else DEFAULT_LANGUAGE
        summary = summaries.get(d.registration.practitioner_id)
        if d.key not in queued:
            messages.append(OutboxMessage(
                channel="email", recipient=d.account.email, next_attempt_at=moment,
                dedupe_key=d.key, payload=_email(settings, lang, d, summary),
                account_id=d.account.id))
        if d.account.mobile and f"sms:{d.key}" not in queued:
            messages.append(OutboxMessage(
                channel="sms", recipient=d.account.mobile, next_attempt_at=moment,
                dedupe_key=f"sms:{d.key}", payload={"body": _sms(settings, lang, d, summary)},
                account_id=d.account.id))
    return await _insert(messages)


async def _cpd(batch: list[Registration], wanted: set, today: dt.date) -> dict:
    """practitioner id → CpdSummary, in one query. A record the CPD rules reject (a rank its
    category does not have, an inverted period) gets no summary rather than stopping every
    reminder of the batch."""
    practitioners = [r.practitioner for r in batch if r.practitioner_id in wanted]
    registrations = {r.practitioner_id: r for r in batch if r.practitioner_id in wanted}
    try:
        return await cpd_summaries(practitioners, registrations, today)
    except ValueError:
        found = {}
        for practitioner in practitioners:  # rare: one query each, to find the bad record
            try:
                found.update(await cpd_summaries(
                    [practitioner], {practitioner.id: registrations[practitioner.id]}, today))
            except ValueError:
                log.warning("no CPD summary for practitioner %s: the record does not fit "
                            "the CPD rules", practitioner.id)
        return found


async def _insert(messages: list[OutboxMessage]) -> int:
    """One bulk insert; if another worker queued some of these keys meanwhile (the unique
    dedupe_key refuses the batch), one by one, skipping those already there."""
    if not messages:
        return 0
    try:
        async with in_transaction():
            await OutboxMessage.bulk_create(messages)
        return len(messages)
    except IntegrityError:
        pass
    queued = 0
    for message in messages:
        try:
            await OutboxMessage.create(
                channel=message.channel, recipient=message.recipient, payload=message.payload,
                next_attempt_at=message.next_attempt_at, dedupe_key=message.dedupe_key,
                account_id=message.account_id)
        except IntegrityError:
            continue
        queued += 1
    return queued


def _hours(value: Decimal) -> str:
    """50.00 → "50", 12.50 → "12.5"."""
    return format(value.normalize(), "f")


def _values(settings: Settings, lang: str, d: _Due, summary: CpdSummary | None) -> dict:
    registration = d.registration
    if d.renewal_id:
        link = f"{settings.base_url}/applications/{d.renewal_id}"
    else:
        link = f"{settings.base_url}/renewals/new"
    return {
        "name": d.account.first_name,
        "number": registration.number,
        "days": d.days_left,
        "expires_on": format_date(registration.valid_until, lang),
        "expires_short": format_date(registration.valid_until, lang, with_hijri=False),
        "cpd_known": summary is not None,
        "cpd_met": summary is not None and summary.met,
        "missing": _hours(summary.missing) if summary else "",
        "earned": _hours(summary.earned) if summary else "",
        "required": summary.required if summary else 0,
        "renewal_id": d.renewal_id,
        "link": link,
    }


def _email(settings: Settings, lang: str, d: _Due, summary: CpdSummary | None) -> dict:
    """Rendered as server.resolvers.notify.email renders, without queueing it there (the
    messages of a batch are inserted together)."""
    data = {"lang": lang, "dir": direction(lang), "base_url": settings.base_url,
            **_values(settings, lang, d, summary)}
    return {"subject": " ".join(render_block(TEMPLATE, "subject", **data).split()),
            "text": render_block(TEMPLATE, "text", **data).strip() + "\n",
            "html": environment().get_template(TEMPLATE).render(**data)}


def _sms(settings: Settings, lang: str, d: _Due, summary: CpdSummary | None) -> str:
    values = _values(settings, lang, d, summary)
    if d.renewal_id:
        msgid = SMS_FINISH
    elif summary is not None and not summary.met:
        msgid = SMS_RENEW_CPD
    else:
        msgid = SMS_RENEW
    return gettext(lang, msgid, date=values["expires_short"], missing=values["missing"],
                   url=values["link"])
