"""Renewal reminders: queued by the outbox worker 90, 60, 30 and 7 days before expiry, each
once, in the practitioner's language, with the CPD hours still missing."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

from server import clock, worker
from server.models.accounts import Account
from server.models.applications import Application
from server.models.outbox import OutboxMessage
from server.models.practitioners import CpdActivity, Practitioner, Registration
from server.resolvers.renewals import reminders
from server.resolvers.renewals.reminders import send_due_reminders
from tests.conftest import wait_for

TODAY = dt.date(2026, 3, 1)
DAY = dt.timedelta(days=1)


async def registered(n: int, valid_until: dt.date, *, lang: str = "en", claimed: bool = True,
                     suspended: bool = False, category: str = "PHYSICIAN",
                     rank: str = "CONSULTANT", mobile: str | None = None) -> Registration:
    """A practitioner with a 3-year registration ending on `valid_until`, linked to an
    account unless `claimed` is False."""
    account = None
    if claimed:
        account = await Account.create(
            email=f"practitioner{n}@example.com", mobile=mobile or f"+9665{n:08d}",
            first_name="Sara" if lang == "en" else "سارة", family_name="Alqahtani",
            password_hash="x", status="ACTIVE", language=lang)
    practitioner = await Practitioner.create(
        account=account, claimed_at=dt.datetime.now(dt.UTC) if claimed else None,
        identity_type="NATIONAL_ID", identity_number=f"1{n:09d}", first_name_ar="سارة",
        family_name_ar="القحطاني", first_name_en="Sara", family_name_en="Alqahtani",
        date_of_birth=dt.date(1985, 4, 12), gender="F", nationality="SA", category=category,
        specialty="INTERNAL_MEDICINE", rank=rank)
    return await Registration.create(
        practitioner=practitioner, number=f"24-R-{n:07d}", rank=rank,
        specialty="INTERNAL_MEDICINE", valid_from=valid_until - dt.timedelta(days=3 * 365) + DAY,
        valid_until=valid_until, suspended=suspended)


async def keys() -> list[str]:
    return sorted(await OutboxMessage.all().values_list("dedupe_key", flat=True))


def key(registration: Registration, days: int) -> str:
    return f"reminder:{registration.id}:{registration.valid_until.isoformat()}:{days}"


async def test_reminders_go_out_90_60_30_and_7_days_before_expiry(settings, clean_db):
    due = {days: await registered(days, TODAY + days * DAY) for days in (90, 60, 30, 7)}
    # Not a threshold, nor within a few days after one.
    for n, days in enumerate((91, 86, 61, 31, 8, 3, 0, -1), start=100):
        await registered(n, TODAY + days * DAY)

    assert await send_due_reminders(settings, TODAY) == 8  # an email and an SMS each
    assert await keys() == sorted(k for days, r in due.items()
                                  for k in (key(r, days), f"sms:{key(r, days)}"))
    emails = await OutboxMessage.filter(channel="email").values_list("recipient", flat=True)
    assert sorted(emails) == sorted(f"practitioner{days}@example.com" for days in due)
    sms = await OutboxMessage.filter(channel="sms").values_list("recipient", flat=True)
    assert sorted(sms) == sorted(f"+9665{days:08d}" for days in due)


async def test_nothing_new_the_day_after_a_threshold(settings, clean_db):
    registration = await registered(1, TODAY + 90 * DAY)
    assert await send_due_reminders(settings, TODAY) == 2
    assert await send_due_reminders(settings, TODAY + DAY) == 0  # 89 days left
    assert await keys() == [key(registration, 90), f"sms:{key(registration, 90)}"]


async def test_each_reminder_is_queued_once_when_called_twice(settings, clean_db):
    await registered(1, TODAY + 30 * DAY)
    assert await send_due_reminders(settings, TODAY) == 2
    assert await send_due_reminders(settings, TODAY) == 0
    assert await OutboxMessage.all().count() == 2


async def test_each_reminder_is_queued_once_by_two_workers_at_the_same_time(settings,
                                                                            clean_db):
    for n in range(10):
        await registered(n, TODAY + 7 * DAY)
    counts = await asyncio.gather(*(send_due_reminders(settings, TODAY) for _ in range(3)))
    assert sum(counts) == 20
    assert await OutboxMessage.all().count() == 20
    assert len(set(await keys())) == 20


async def test_a_reminder_missed_while_the_worker_was_down_is_sent_the_next_day(settings,
                                                                                clean_db):
    registration = await registered(1, TODAY + 60 * DAY)
    assert await send_due_reminders(settings, TODAY - DAY) == 0  # 61 days: not yet
    # The worker is down on the day itself (60 days left) and comes back the day after.
    assert await send_due_reminders(settings, TODAY + DAY) == 2
    assert await send_due_reminders(settings, TODAY + 2 * DAY) == 0
    assert await keys() == [key(registration, 60), f"sms:{key(registration, 60)}"]
    # Down for longer than the catch-up days: that threshold is gone, the next one comes.
    late = await registered(2, TODAY + 56 * DAY)
    assert await send_due_reminders(settings, TODAY) == 0
    assert await send_due_reminders(settings, TODAY + 26 * DAY) == 2  # 30 days left
    assert key(late, 30) in await keys()


async def test_a_renewed_registration_gets_fresh_reminders_for_its_new_date(settings,
                                                                           clean_db):
    registration = await registered(1, TODAY + 7 * DAY)
    assert await send_due_reminders(settings, TODAY) == 2
    old_key = key(registration, 7)

    renewed_until = registration.valid_until + dt.timedelta(days=3 * 365)
    await Registration.filter(id=registration.id).update(
        valid_from=registration.valid_until + DAY, valid_until=renewed_until)
    assert await send_due_reminders(settings, TODAY) == 0
    registration = await Registration.get(id=registration.id)
    assert await send_due_reminders(settings, renewed_until - 90 * DAY) == 2
    assert await send_due_reminders(settings, renewed_until - 7 * DAY) == 2
    assert await keys() == sorted([old_key, f"sms:{old_key}", key(registration, 90),
                                   f"sms:{key(registration, 90)}", key(registration, 7),
                                   f"sms:{key(registration, 7)}"])


async def test_unclaimed_and_suspended_registrations_get_no_reminder(settings, clean_db):
    await registered(1, TODAY + 30 * DAY, claimed=False)
    await registered(2, TODAY + 30 * DAY, suspended=True)
    assert await send_due_reminders(settings, TODAY) == 0
    assert await OutboxMessage.all().count() == 0


async def test_an_open_renewal_changes_or_silences_the_reminder(settings, clean_db):
    waiting_for_them = await registered(1, TODAY + 30 * DAY)
    waiting_for_us = await registered(2, TODAY + 30 * DAY)
    finished = await registered(3, TODAY + 30 * DAY)
    draft = None
    for registration, status in ((waiting_for_them, "DRAFT"), (waiting_for_us, "IN_REVIEW"),
                                 (finished, "APPROVED")):
        practitioner = await Practitioner.get(id=registration.practitioner_id)
        application = await Application.create(
            kind="RENEWAL", status=status, applicant_id=practitioner.account_id,
            practitioner=practitioner, data={"answers": {}}, years=3)
        draft = draft or application

    assert await send_due_reminders(settings, TODAY) == 4
    assert await keys() == sorted([key(waiting_for_them, 30), f"sms:{key(waiting_for_them, 30)}",
                                   key(finished, 30), f"sms:{key(finished, 30)}"])
    nudge = await OutboxMessage.get(dedupe_key=key(waiting_for_them, 30))
    assert nudge.payload["subject"].startswith("Reminder: finish your renewal")
    assert f"{settings.base_url}/applications/{draft.id}" in nudge.payload["text"]
    assert "/renewals/new" not in nudge.payload["text"]
    sms = await OutboxMessage.get(dedupe_key=f"sms:{key(waiting_for_them, 30)}")
    assert "your renewal is not finished" in sms.payload["body"]
    usual = await OutboxMessage.get(dedupe_key=key(finished, 30))
    assert f"{settings.base_url}/renewals/new" in usual.payload["text"]


async def test_the_email_names_the_missing_cpd_hours_in_the_practitioners_language(
        settings, clean_db, deliver, smtp_server, sms_gateway):
    english = await registered(1, TODAY + 90 * DAY, lang="en")
    arabic = await registered(2, TODAY + 90 * DAY, lang="ar")
    complete = await registered(3, TODAY + 90 * DAY, lang="en")
    for registration, hours in ((english, "40"), (arabic, "40"), (complete, "90")):
        # A consultant physician's 3-year period needs 90 recognised hours.
        await CpdActivity.create(
            practitioner_id=registration.practitioner_id, title="Cardiology update",
            provider="SCFHS", hours=Decimal(hours), recognised_hours=Decimal(hours),
            completed_on=registration.valid_from + 30 * DAY, status="RECOGNISED")
    # Submitted but not yet recognised: does not count.
    await CpdActivity.create(
        practitioner_id=english.practitioner_id, title="Pending", provider="SCFHS",
        hours=Decimal(20), completed_on=english.valid_from + 40 * DAY)

    assert await send_due_reminders(settings, TODAY) == 6
    assert await deliver() == 6
    mails = {m.to: m for m in smtp_server.messages()}

    mail = mails["practitioner1@example.com"]
    assert mail.subject.startswith("Reminder: renew your registration before it expires on")
    assert (TODAY + 90 * DAY).isoformat() in mail.subject
    assert "Hello Sara," in mail.text
    assert "24-R-0000001" in mail.text and "Days left: \u206890\u2069" in mail.text
    assert "CPD hours still missing: \u206850\u2069" in mail.text
    assert "\u206840\u2069 of \u206890\u2069 are recognised" in mail.text
    assert f"{settings.base_url}/renewals/new" in mail.text
    assert f'href="{settings.base_url}/renewals/new"' in mail.html
    assert 'lang="en" dir="ltr"' in mail.html

    mail = mails["practitioner2@example.com"]
    assert mail.subject.startswith("تذكير: جدّد تسجيلك المهني قبل انتهائه في")
    assert "مرحبًا سارة،" in mail.text
    assert "ينتهي تسجيلك المهني رقم" in mail.text
    assert "عدد الأيام المتبقية: \u206890\u2069" in mail.text
    assert "ساعات التعليم المهني المستمر المتبقية: \u206850\u2069" in mail.text
    assert "هـ" in mail.text  # the Hijri date beside the Gregorian one
    assert f"{settings.base_url}/renewals/new" in mail.text
    assert 'lang="ar" dir="rtl"' in mail.html

    mail = mails["practitioner3@example.com"]
    assert "Your CPD hours are complete." in mail.text
    assert "still missing" not in mail.text

    sms = {m["recipients"][0]: m["body"] for m in sms_gateway.received}
    assert sms["966500000001"].startswith("Sijil: your professional registration expires on")
    assert "CPD hours still missing: 50." in sms["966500000001"]
    assert sms["966500000002"].startswith("سجل: ينتهي تسجيلك المهني في")
    assert "ساعات التعليم المهني المستمر المتبقية: 50." in sms["966500000002"]
    assert "missing" not in sms["966500000003"]
    assert all(f"{settings.base_url}/renewals/new" in body for body in sms.values())


async def test_a_record_the_cpd_rules_reject_still_gets_its_reminder(settings, clean_db):
    odd = await registered(1, TODAY + 7 * DAY, category="PHYSICIAN", rank="TECHNICIAN")
    fine = await registered(2, TODAY + 7 * DAY)
    assert await send_due_reminders(settings, TODAY) == 4
    odd_mail = await OutboxMessage.get(dedupe_key=key(odd, 7))
    assert "CPD" not in odd_mail.payload["text"]
    fine_mail = await OutboxMessage.get(dedupe_key=key(fine, 7))
    assert "CPD hours still missing: \u206890\u2069" in fine_mail.payload["text"]


async def test_no_sms_without_a_mobile_number(settings, clean_db):
    registration = await registered(1, TODAY + 7 * DAY)
    await Account.filter(email="practitioner1@example.com").update(mobile="")
    assert await send_due_reminders(settings, TODAY) == 1
    assert await keys() == [key(registration, 7)]


async def test_queries_do_not_grow_with_the_number_of_practitioners(settings, clean_db,
                                                                    queries):
    async def count(first: int, how_many: int) -> int:
        for n in range(first, first + how_many):
            registration = await registered(n, TODAY + 30 * DAY)
            await CpdActivity.create(
                practitioner_id=registration.practitioner_id, title="Course", provider="X",
                hours=Decimal(10), recognised_hours=Decimal(10),
                completed_on=registration.valid_from + DAY, status="RECOGNISED")
        with queries() as q:
            assert await send_due_reminders(settings, TODAY) == 2 * how_many
        await OutboxMessage.all().delete()
        await Registration.all().update(valid_until=TODAY + 200 * DAY)  # out of the way
        return q.count

    assert await count(1, 5) == await count(100, 50)


async def test_large_numbers_go_in_batches(settings, clean_db, monkeypatch):
    monkeypatch.setattr(reminders, "BATCH", 3)
    for n in range(8):
        await registered(n, TODAY + 60 * DAY)
    assert await send_due_reminders(settings, TODAY) == 16
    assert await send_due_reminders(settings, TODAY) == 0


async def test_the_worker_queues_and_delivers_reminders(settings, clean_db, smtp_server):
    today = clock.today()
    await registered(1, today + 7 * DAY, lang="ar")
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(worker.Deliverer(settings, smtp_server.url),
                                                  stop, idle=0.05))
    try:
        mails = await wait_for(smtp_server.messages)
    finally:
        stop.set()
        await task
    assert [m.to for m in mails] == ["practitioner1@example.com"]
    assert mails[0].subject.startswith("تذكير")
