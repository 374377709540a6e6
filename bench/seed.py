"""Adds realistic extra rows to an imported registry and seeds the accounts the scenarios
use; writes what the load generators need (tokens, registration numbers) as JSON.

    DATABASE_URL=... DATA_DIR=... python -m bench.seed OUT.json [--seed 1] [--renewals 5]

Extra rows, inserted with Tortoise `bulk_create` (no per-row ORM round trips):
- every practitioner: 0–20 experiences and 0–10 licences, skewed to the low end as real
  records are (min(20, ⌊Exp(mean 3)⌋), min(10, ⌊Exp(mean 1.5)⌋));
- 10 % of practitioners: 1–30 CPD activities in every status;
- 2 % of practitioners: claimed by an account, with 1–4 applications of any kind in every
  status (the review queue holds the SUBMITTED and IN_REVIEW ones).
Seeded: one signed-in practitioner (20 experiences, 10 licences, 50 CPD activities, 8
applications, one in each status), one reviewer session, 8 accounts with a real argon2id
password for the sign-in load, and `--renewals` practitioners ready to renew.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import time
import uuid
from decimal import Decimal
from pathlib import Path

from server import clock, db
from server.models.accounts import Account
from server.models.applications import Application
from server.models.documents import Document
from server.models.practitioners import CpdActivity, Experience, License, Practitioner, Registration

BATCH = 5000
STATUSES = ["DRAFT", "AWAITING_PAYMENT", "SUBMITTED", "IN_REVIEW", "RETURNED", "APPROVED",
            "REJECTED", "CANCELLED"]
KINDS = ["RENEWAL", "CLASSIFICATION", "RECLASSIFICATION", "GOOD_STANDING",
         "TRAINING_CERTIFICATE", "QUALIFICATION_EVALUATION", "CPD_RECOGNITION"]
CITIES = [("Riyadh", "SA"), ("Jeddah", "SA"), ("Dammam", "SA"), ("Makkah", "SA"),
          ("Madinah", "SA"), ("Abha", "SA"), ("Tabuk", "SA"), ("Cairo", "EG"),
          ("Amman", "JO"), ("Manila", "PH"), ("Kochi", "IN"), ("Karachi", "PK")]
WORKPLACES = ["King Faisal Specialist Hospital", "King Fahad Medical City",
              "King Abdulaziz University Hospital", "Dr. Sulaiman Al Habib Hospital",
              "Dallah Hospital", "Security Forces Hospital", "King Khalid Eye Hospital",
              "Saudi German Hospital", "Mouwasat Hospital", "Primary Health Care Centre"]
ORG_TYPES = ["GOVERNMENT", "PRIVATE", "MILITARY", "UNIVERSITY"]
AUTHORITIES = ["Egyptian Medical Syndicate", "Jordan Medical Council",
               "Professional Regulation Commission", "Kerala Nurses Council",
               "Pakistan Medical and Dental Council", "Qatar Council for Healthcare Practitioners"]
CPD_TITLES = ["Basic Life Support", "Advanced Cardiac Life Support", "Infection control update",
              "Annual medical conference", "Patient safety workshop", "Evidence-based practice",
              "Pain management course", "Diabetes care update", "Radiation safety"]
CPD_STATUSES = ["SUBMITTED", "RECOGNISED", "RECOGNISED", "RECOGNISED", "REJECTED"]
PASSWORD = "bench harbour lantern 42"


def _days_ago(rng: random.Random, low: int, high: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low, high))


def experience(rng, practitioner_id, specialty, today, current=False, certificate_id=None):
    city, country = rng.choice(CITIES)
    start = _days_ago(rng, 200, 9000, today)
    end = None if current else min(today, start + dt.timedelta(days=rng.randint(180, 2500)))
    return Experience(practitioner_id=practitioner_id, city=city, country=country,
                      workplace=rng.choice(WORKPLACES), specialty=specialty,
                      job_description="Clinical duties, on-call rota and teaching.",
                      start_date=start, end_date=end, organization_type=rng.choice(ORG_TYPES),
                      certificate_id=certificate_id)


def licence(rng, practitioner_id, specialty, today, document_id=None):
    return License(practitioner_id=practitioner_id, specialty=specialty,
                   expiry_date=today + dt.timedelta(days=rng.randint(-700, 1500)),
                   country=rng.choice(["EG", "JO", "PH", "IN", "PK", "QA", "AE"]),
                   authority=rng.choice(AUTHORITIES),
                   reference_number=f"L-{rng.randrange(10**8):08d}", document_id=document_id)


def cpd(rng, practitioner_id, today, status=None):
    status = status or rng.choice(CPD_STATUSES)
    hours = Decimal(rng.choice([1, 2, 3, 4, 6, 8, 10, 12, 16, 20]))
    return CpdActivity(practitioner_id=practitioner_id, title=rng.choice(CPD_TITLES),
                       provider="Saudi Commission accredited provider",
                       accreditation_number=f"SCFHS-{rng.randrange(10**6):06d}",
                       hours=hours, recognised_hours=hours if status == "RECOGNISED" else None,
                       completed_on=_days_ago(rng, 1, 1400, today), status=status)


def document(owner_id, kind="EXPERIENCE_CERTIFICATE"):
    return Document(owner_id=owner_id, kind=kind, content_type="application/pdf", size=1234,
                    sha256="0" * 64, storage_key=uuid.uuid4().hex, original_name="scan.pdf",
                    attached_at=dt.datetime.now(dt.UTC))


def account(email: str, first: str, family: str, password_hash: str, roles="PRACTITIONER"):
    moment = dt.datetime.now(dt.UTC)
    return Account(email=email, mobile="05" + f"{secrets.randbelow(10**8):08d}",
                   first_name=first, family_name=family, password_hash=password_hash,
                   status="ACTIVE", roles=roles, language="en", email_verified_at=moment,
                   mobile_verified_at=moment)


def application(rng, applicant_id, practitioner_id, status, kind=None):
    now = dt.datetime.now(dt.UTC)
    created = now - dt.timedelta(days=rng.randint(0, 700), seconds=rng.randint(0, 86400))
    submitted = None if status == "DRAFT" else created + dt.timedelta(hours=rng.randint(1, 72))
    decided = submitted + dt.timedelta(days=rng.randint(1, 20)) \
        if status in ("APPROVED", "REJECTED", "RETURNED") else None
    return Application(kind=kind or rng.choice(KINDS), status=status, applicant_id=applicant_id,
                       practitioner_id=practitioner_id, data={"answers": {}},
                       years=rng.choice([1, 3, 5]),
                       fee=None if status == "DRAFT" else Decimal(rng.choice([250, 500, 750])),
                       submitted_at=submitted, decided_at=decided,
                       decision_reason="Reviewed." if decided else "")


async def bulk(model, rows: list, counts: dict) -> None:
    for i in range(0, len(rows), BATCH):
        await model.bulk_create(rows[i:i + BATCH])
    counts[model.__name__] = counts.get(model.__name__, 0) + len(rows)


async def seed(out: Path, seed_value: int, renewals: int) -> dict:
    from server.resolvers.accounts.sessions import open_session
    from server.resolvers.accounts.signup import hasher

    rng = random.Random(seed_value)
    today = clock.today()
    counts: dict[str, int] = {}
    started = time.perf_counter()
    practitioners = await Practitioner.all().order_by("id").values_list(
        "id", "category", "specialty")
    n = len(practitioners)
    reserved = {p[0] for p in practitioners[:renewals + 1]}  # seeded ones get their own rows

    # ---- experiences and licences for everyone
    experiences, licences = [], []
    for pid, _category, specialty in practitioners:
        if pid in reserved:
            continue
        for _ in range(min(20, int(rng.expovariate(1 / 3)))):
            experiences.append(experience(rng, pid, specialty, today))
        for _ in range(min(10, int(rng.expovariate(1 / 1.5)))):
            licences.append(licence(rng, pid, specialty, today))
        if len(experiences) >= 50_000:
            await bulk(Experience, experiences, counts)
            experiences = []
        if len(licences) >= 50_000:
            await bulk(License, licences, counts)
            licences = []
    await bulk(Experience, experiences, counts)
    await bulk(License, licences, counts)

    # ---- CPD for 10 %
    activities = []
    for pid, _, _ in rng.sample(practitioners, n // 10):
        if pid in reserved:
            continue
        activities += [cpd(rng, pid, today) for _ in range(rng.randint(1, 30))]
    await bulk(CpdActivity, activities, counts)

    # ---- 2 % claimed, with applications in every status
    claimed = [p for p in rng.sample(practitioners, max(n // 50, 1)) if p[0] not in reserved]
    fake_hash = "$argon2id$v=19$m=65536,t=3,p=4$bench$not-a-real-hash"
    accounts = [account(f"claimed{i}@bench.example", "Bench", f"Claimed{i}", fake_hash)
                for i in range(len(claimed))]
    await bulk(Account, accounts, counts)
    links = []
    now = dt.datetime.now(dt.UTC)
    for acc, (pid, _, _) in zip(accounts, claimed, strict=True):
        links.append(Practitioner(id=pid, account_id=acc.id, claimed_at=now))
    for i in range(0, len(links), 1000):
        await Practitioner.bulk_update(links[i:i + 1000], fields=["account_id", "claimed_at"])
    apps = []
    for acc, (pid, _, _) in zip(accounts, claimed, strict=True):
        for _ in range(rng.randint(1, 4)):
            apps.append(application(rng, acc.id, pid, rng.choice(STATUSES)))
    await bulk(Application, apps, counts)
    bulk_seconds = time.perf_counter() - started

    # ---- the seeded, signed-in practitioner
    real_hash = hasher.hash(PASSWORD)
    first_pid, _, first_specialty = practitioners[0]
    me = await Account.create(email="seeded@bench.example", mobile="0551230000",
                              first_name="Seeded", family_name="Practitioner",
                              password_hash=real_hash, status="ACTIVE", language="en",
                              email_verified_at=now, mobile_verified_at=now)
    await Practitioner.filter(id=first_pid).update(account_id=me.id, claimed_at=now)
    docs = [document(me.id) for _ in range(15)]
    await Document.bulk_create(docs)
    await Experience.bulk_create(
        [experience(rng, first_pid, first_specialty, today, current=(i == 0),
                    certificate_id=docs[i].id if i < 10 else None) for i in range(20)])
    await License.bulk_create([licence(rng, first_pid, first_specialty, today,
                                       document_id=docs[10 + i].id if i < 5 else None)
                               for i in range(10)])
    await CpdActivity.bulk_create([cpd(rng, first_pid, today) for _ in range(50)])
    await Application.bulk_create([application(rng, me.id, first_pid, s) for s in STATUSES])
    my_token = await open_session(me)
    my_number = (await Registration.get(practitioner_id=first_pid)).number

    # ---- a reviewer
    reviewer = await Account.create(email="reviewer@bench.example", mobile="0551230001",
                                    first_name="Bench", family_name="Reviewer",
                                    password_hash=real_hash, status="ACTIVE",
                                    roles="PRACTITIONER,REVIEWER", language="en",
                                    email_verified_at=now, mobile_verified_at=now)
    reviewer_token = await open_session(reviewer)

    # ---- 8 accounts that sign in (real argon2id hashes, production parameters)
    logins = []
    for i in range(8):
        acc = account(f"signin{i}@bench.example", "Signin", f"Bench{i}", real_hash)
        await acc.save()
        logins.append({"identifier": acc.email, "password": PASSWORD})

    # ---- practitioners ready to renew (registration in its window, CPD met, a current
    # experience with a certificate, no licence without a document)
    ready = []
    for k, (pid, _category, specialty) in enumerate(practitioners[1:renewals + 1]):
        acc = account(f"renew{k}@bench.example", "Renew", f"Bench{k}", real_hash)
        await acc.save()
        await Practitioner.filter(id=pid).update(account_id=acc.id, claimed_at=now,
                                                 sanctioned=False)
        until = today + dt.timedelta(days=30)
        await Registration.filter(practitioner_id=pid).update(
            valid_until=until, valid_from=until - dt.timedelta(days=3 * 365 - 1),
            suspended=False)
        doc = document(acc.id)
        await doc.save()
        await experience(rng, pid, specialty, today, current=True, certificate_id=doc.id).save()
        await CpdActivity.create(practitioner_id=pid, title="Annual conference", provider="SHA",
                                 hours=Decimal(400), recognised_hours=Decimal(400),
                                 completed_on=today - dt.timedelta(days=20), status="RECOGNISED")
        ready.append({"token": await open_session(acc), "practitioner_id": str(pid),
                      "registration_number": (await Registration.get(practitioner_id=pid)).number})

    numbers = await Registration.all().order_by("number").values_list("number", flat=True)
    sample = random.Random(seed_value + 1).sample(list(numbers), min(1000, len(numbers)))
    result = {
        "practitioners": n,
        "rows_added": counts,
        "bulk_seconds": round(bulk_seconds, 1),
        "seconds": round(time.perf_counter() - started, 1),
        "seeded": {"token": my_token, "account_id": str(me.id),
                   "practitioner_id": str(first_pid), "registration_number": my_number},
        "reviewer_token": reviewer_token,
        "logins": logins,
        "renewals": ready,
        "registration_numbers": sample,
    }
    await asyncio.to_thread(out.write_text, json.dumps(result, indent=1))
    return result


async def refresh(out: Path) -> dict:
    """Fresh sessions for the seeded practitioner and the reviewer of an earlier seed (for
    `bench/run.py --reuse`: sessions expire, the database is kept)."""
    from server.models.accounts import Account
    from server.resolvers.accounts.sessions import open_session

    result = json.loads(await asyncio.to_thread(out.read_text))
    me = await Account.get(id=result["seeded"]["account_id"])
    result["seeded"]["token"] = await open_session(me)
    result["reviewer_token"] = await open_session(
        await Account.get(email="reviewer@bench.example"))
    await asyncio.to_thread(out.write_text, json.dumps(result, indent=1))
    return {**result, "seconds": 0, "bulk_seconds": 0}


async def main_async(args) -> dict:
    await db.connect(os.environ["DATABASE_URL"])
    try:
        if args.refresh:
            return await refresh(args.out)
        return await seed(args.out, args.seed, args.renewals)
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--renewals", type=int, default=5)
    parser.add_argument("--refresh", action="store_true",
                        help="only open fresh sessions for the accounts seeded into OUT before")
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print(f"seeded in {result['seconds']} s (bulk rows in {result['bulk_seconds']} s): "
          f"{result['rows_added']}")


if __name__ == "__main__":
    main()
