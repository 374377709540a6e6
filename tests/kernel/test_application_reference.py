"""The human application reference (issue 16.12): "A-YYYY-NNNNNN", unique even when
applications are opened at the same moment, over GraphQL, and given to the applications
that existed before it (the migration)."""

import asyncio
import datetime as dt
import importlib
import types

import time_machine
from tortoise import connections
from tortoise.transactions import in_transaction

from server import clock
from server.domain.applications import format_application_reference, parse_application_reference
from server.models.applications import Application, Counter
from server.resolvers.kernel import lifecycle
from tests.builders import claimed_practitioner
from tests.conftest import gql


def test_the_reference_is_the_year_and_a_six_digit_number():
    assert format_application_reference(2026, 123) == "A-2026-000123"
    assert format_application_reference(2027, 1_234_567) == "A-2027-1234567"


def test_a_reference_is_read_as_people_write_it():
    for written in ("A-2026-000123", "a-2026-000123", " A-2026-123 ", "A2026000123",
                    "A-٢٠٢٦-٠٠٠١٢٣", "A‑2026‑000123", "a - 2026 - 123"):
        assert parse_application_reference(written) == "A-2026-000123", written
    for not_one in ("", "A-26-000123", "B-2026-000123", "A-2026-000000", "2026-000123",
                    "Mohammed"):
        assert parse_application_reference(not_one) is None, not_one


async def test_references_follow_each_other_and_never_repeat_under_concurrency(clean_db):
    start = (await Counter.get_or_create(name="application"))[0].value

    async def one():
        async with in_transaction():
            return await lifecycle.next_reference()

    references = await asyncio.gather(*(one() for _ in range(20)))
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert numbers == list(range(start + 1, start + 21))
    assert all(r.startswith(f"A-{clock.today().year}-") for r in references)


async def test_the_year_is_the_kingdoms_day_the_application_is_opened(clean_db):
    # 21:30 UTC on 31 December is already 1 January in Riyadh.
    with time_machine.travel(dt.datetime(2026, 12, 31, 21, 30, tzinfo=dt.UTC),
                             tick=False):
        assert (await lifecycle.next_reference()).startswith("A-2027-")


async def test_an_application_carries_its_reference_over_graphql(live, deliver, smtp_server,
                                                                   sms_gateway):
    _, token, _ = await claimed_practitioner(live.client, deliver, smtp_server, sms_gateway)
    applied = (await gql(live.client, "mutation { applyForGoodStandingCertificate { "
                         "application { id reference } errors { code } } }", token=token)
               )["data"]["applyForGoodStandingCertificate"]
    assert applied["errors"] == []
    reference = applied["application"]["reference"]
    assert parse_application_reference(reference) == reference
    stored = await Application.get(id=applied["application"]["id"])
    assert stored.reference == reference
    listed = (await gql(live.client, "{ myApplications(first: 5) { edges { node "
                        "{ reference } } } }", token=token))["data"]["myApplications"]
    assert [e["node"]["reference"] for e in listed["edges"]] == [reference]


async def test_the_migration_numbers_the_applications_already_there(live, deliver,
                                                                    smtp_server, sms_gateway):
    _, token, _ = await claimed_practitioner(live.client, deliver, smtp_server, sms_gateway)
    assert (await gql(live.client, "mutation { applyForGoodStandingCertificate { "
                      "errors { code } } }", token=token)
            )["data"]["applyForGoodStandingCertificate"]["errors"] == []
    first = await Application.get()
    for _ in range(2):  # rows as the database held them before the reference existed
        await Application.create(kind="GOOD_STANDING", status="CANCELLED",
                                 applicant_id=first.applicant_id)
    ids = [a.id for a in await Application.all().order_by("created_at", "id")]
    assert ids
    # As the database was before the migration: no references, no counter.
    await Application.all().update(reference=None)
    await Counter.all().delete()
    migration = importlib.import_module("server.migrations.0011_application_reference")
    await migration.number_existing(None, types.SimpleNamespace(
        client=connections.get("default")))
    numbered = {a.id: a.reference for a in await Application.all()}
    year = clock.today().year
    assert [numbered[i] for i in ids] == [format_application_reference(year, n)
                                         for n in range(1, len(ids) + 1)]
    assert (await Counter.get(name="application")).value == len(ids)
    # and the next one carries on.
    assert await lifecycle.next_reference() == format_application_reference(year, len(ids) + 1)
