"""A small world for the security tests, built straight in the database (no SMTP or SMS
round trips, so the matrix stays fast): practitioners A and B, each with a claimed record,
entries, documents, applications and a session; a reviewer, a supervisor and an admin."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import pytest_asyncio

from server import clock
from server.app import create_app
from server.domain.identity import saudi_id_check_digit
from server.integrations.storage import storage_for
from server.models.accounts import Account, Passkey, Session
from server.models.applications import Application, ApplicationDocument, ApplicationEvent
from server.models.documents import Document
from server.models.employers import ApiKey, Organization
from server.models.outbox import OutboxMessage
from server.models.payments import Payment
from server.models.practitioners import (
    CpdActivity,
    Experience,
    License,
    Practitioner,
    Qualification,
    RecordChange,
)
from server.resolvers.accounts.sessions import open_session
from server.resolvers.employers.keys import KEY_PREFIX, hash_secret
from server.resolvers.kernel import audit
from tests.builders import MINIMAL_PDF, imported_record
from tests.conftest import NoCookies, truncate_all

_serial = itertools.count(1000)


@dataclass
class Actor:
    name: str
    account: Account | None = None
    token: str | None = None
    practitioner: Practitioner | None = None
    ids: dict[str, str] = field(default_factory=dict)
    markers: tuple[str, ...] = ()


@dataclass
class World:
    anon: Actor
    a: Actor
    b: Actor
    reviewer: Actor
    admin: Actor
    supervisor: Actor | None = None
    # API keys of one organisation: one per scope (server/authz.py, KEY_*).
    key_watch: Actor | None = None
    key_read: Actor | None = None

    @property
    def callers(self) -> list[Actor]:
        return [self.anon, self.b, self.reviewer, self.supervisor, self.admin, self.a]


async def stored_document(settings, owner: Account, kind: str = "OTHER",
                          name: str = "file.pdf", content: bytes = MINIMAL_PDF) -> Document:
    key = await storage_for(settings).save(content)
    return await Document.create(owner=owner, kind=kind, content_type="application/pdf",
                                 size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                 storage_key=key, original_name=name)


async def application(account, practitioner, kind: str, status: str, **extra) -> Application:
    row = await Application.create(  # its reference is given when it is stored
        kind=kind, status=status, applicant=account, practitioner=practitioner,
        submitted_at=dt.datetime.now(dt.UTC) if status not in ("DRAFT",) else None, **extra)
    await ApplicationEvent.create(application=row, actor_id=account.id, from_status="",
                                  to_status=status)
    return row


async def practitioner_actor(settings, name: str, email: str, number: str, identity: str,
                             family: str) -> Actor:
    practitioner = await imported_record(number=number, identity=identity)
    await Practitioner.filter(id=practitioner.id).update(family_name_en=family)
    account = await Account.create(
        email=email, mobile="+966551234567", first_name=name, family_name=family,
        password_hash="-", status="ACTIVE", roles="PRACTITIONER", language="en",
        email_verified_at=dt.datetime.now(dt.UTC), mobile_verified_at=dt.datetime.now(dt.UTC))
    await Practitioner.filter(id=practitioner.id).update(account_id=account.id)
    practitioner = await Practitioner.get(id=practitioner.id)
    certificate = await stored_document(settings, account, "EXPERIENCE_CERTIFICATE",
                                        f"{name}-experience.pdf")
    licence_doc = await stored_document(settings, account, "LICENSE", f"{name}-licence.pdf")
    spare = await stored_document(settings, account, "EVIDENCE", f"{name}-evidence.pdf")
    workplace = f"WORKPLACE-{name.upper()}"
    experience = await Experience.create(
        practitioner=practitioner, city="Riyadh", country="SA", workplace=workplace,
        specialty="IM", start_date=dt.date(2018, 1, 1), organization_type="GOVERNMENT",
        certificate=certificate)
    licence = await License.create(
        practitioner=practitioner, specialty="IM", country="AE", authority="DHA",
        reference_number=f"LIC-{name.upper()}", document=licence_doc,
        expiry_date=clock.today() + dt.timedelta(days=400))
    qualification = await Qualification.create(
        practitioner=practitioner, degree=f"MBBS-{name.upper()}", institution="KSU",
        country="SA", awarded_on=dt.date(2010, 6, 1))
    await CpdActivity.create(practitioner=practitioner, title=f"CPD-{name.upper()}",
                             provider="SCFHS", hours=Decimal(10), recognised_hours=Decimal(10),
                             completed_on=clock.today() - dt.timedelta(days=20),
                             status="RECOGNISED")
    await RecordChange.create(practitioner=practitioner, actor_id=account.id,
                              what="EXPERIENCE_ADDED", changes={"workplace": workplace})
    renewal = await application(account, practitioner, "RENEWAL", "DRAFT", years=1,
                                data={"answers": {}})
    awaiting = await application(account, practitioner, "GOOD_STANDING", "AWAITING_PAYMENT",
                                 fee=Decimal("100.00"))
    paid_cancelled = await application(account, practitioner, "TRAINING_CERTIFICATE",
                                       "CANCELLED", fee=Decimal("100.00"))
    payment = await Payment.create(application=paid_cancelled, provider="sandbox", method="MADA",
                         status="PAID", amount=Decimal("100.00"),
                         idempotency_key=f"k-{uuid.uuid4()}",
                         provider_payment_id=f"sbx_{uuid.uuid4().hex}")
    submitted = await application(account, practitioner, "QUALIFICATION_EVALUATION",
                                  "SUBMITTED", data={"degree": "MBBS",
                                        "qualification_id": str(qualification.id)})
    await ApplicationDocument.create(application=submitted, document=spare, kind="EVIDENCE")
    classification = await application(account, practitioner, "CLASSIFICATION", "SUBMITTED",
                                       data={"category": "PHYSICIAN"})
    passkey = await Passkey.create(account=account, credential_id=uuid.uuid4().hex,
                                   public_key=b"-", name=f"key-{name}")
    token = await open_session(account, ip="127.0.0.1")
    session = await Session.filter(account_id=account.id).first()
    await audit.record("signin", actor=account, ip="127.0.0.1")
    notification = await OutboxMessage.create(
        channel="email", recipient=email, account=account, next_attempt_at=clock.now(),
        payload={"subject": f"INBOX-{name.upper()}", "text": f"INBOX-{name.upper()}"})
    ids = {"experience": str(experience.id), "license": str(licence.id),
           "qualification": str(qualification.id), "renewal": str(renewal.id),
           "awaiting": str(awaiting.id), "cancelled": str(paid_cancelled.id),
           "submitted": str(submitted.id), "classification": str(classification.id),
           "certificate": str(certificate.id), "spare": str(spare.id),
           "session": str(session.id), "account": str(account.id), "payment": str(payment.id),
           "passkey": str(passkey.id), "notification": str(notification.id),
           "practitioner": str(practitioner.id), "registration": number}
    markers = (email, workplace, f"LIC-{name.upper()}", f"MBBS-{name.upper()}", family,
               f"INBOX-{name.upper()}",
               *[v for k, v in ids.items() if k not in ("session", "notification")])
    return Actor(name, account, token, practitioner, ids, markers)


async def staff_actor(name: str, roles: str, tag: str = "") -> Actor:
    account = await Account.create(
        email=f"{name}{tag}@sijil.example", mobile="", first_name=name, family_name="Staff",
        password_hash="-", status="ACTIVE", roles=roles, language="en",
        email_verified_at=dt.datetime.now(dt.UTC), totp_secret="JBSWY3DPEHPK3PXP")
    return Actor(name, account, await open_session(account))


async def make_world(settings) -> World:
    """Two practitioners, a reviewer and an admin, with identities no other world shares,
    so that many worlds can live in one database."""
    n = next(_serial)
    actors = []
    for name, family in (("a", "Alphamarker"), ("b", "Bravomarker")):
        serial = next(_serial)
        first_nine = f"1{serial:08d}"
        actors.append(await practitioner_actor(
            settings, name, f"{name}{n}@example.com", f"24-R-{serial:07d}",
            first_nine + saudi_id_check_digit(first_nine), family))
    organization = await Organization.create(name_ar=f"مستشفى {n}", name_en=f"Hospital {n}",
                                             contact_email=f"hr{n}@hospital.example")
    actors[0].ids["organization"] = str(organization.id)
    return World(anon=Actor("anon"), a=actors[0], b=actors[1],
                 reviewer=await staff_actor("reviewer", "REVIEWER", str(n)),
                 admin=await staff_actor("admin", "ADMIN", str(n)),
                 supervisor=await staff_actor("supervisor", "REVIEWER,SUPERVISOR", str(n)),
                 key_watch=await key_actor(organization, "WATCH"),
                 key_read=await key_actor(organization, "REGISTER_READ"))


async def key_actor(organization, scopes: str) -> Actor:
    """An API key of `organization`, made as createApiKey makes one."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    await ApiKey.create(organization=organization, name=scopes, scopes=scopes,
                        prefix=secret[:12], secret_hash=hash_secret(secret))
    return Actor(f"key:{scopes}", token=secret)


@pytest_asyncio.fixture(scope="module")
async def shared_db(database):
    """One database for a whole module: tests that build their own world (make_world) skip
    emptying every table after each test, which is slow on PostgreSQL."""
    await truncate_all()
    yield
    await truncate_all()


@pytest_asyncio.fixture(scope="module")
async def shared_client(settings, shared_db):
    """A cookie-less client app over the module's shared database."""
    transport = httpx.ASGITransport(app=create_app(settings), client=("127.0.0.1", 50003))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 cookies=NoCookies()) as c:
        yield c


@pytest_asyncio.fixture
async def world(settings, clean_db) -> World:
    return await make_world(settings)


@pytest_asyncio.fixture
async def shared_world(settings, shared_db) -> World:
    return await make_world(settings)
