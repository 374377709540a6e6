"""The public look-up's one hand-written statement (server.resolvers.register.lookup:
verify_practitioner) answers exactly what the ORM look-up answers, in one statement, on the
database under test (SQLite, or PostgreSQL with DATABASE_URL=postgres://…)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.clock import today
from server.domain.registry import RegistrationStatus
from server.resolvers.register.lookup import registration_entry, verify_practitioner
from tests.querycount import count_queries
from tests.register.test_public_register import practitioner


@pytest.mark.parametrize(("valid_until", "suspended", "status"), [
    (dt.timedelta(days=400), False, RegistrationStatus.ACTIVE),
    (dt.timedelta(days=-1), False, RegistrationStatus.EXPIRED),
    (dt.timedelta(days=400), True, RegistrationStatus.SUSPENDED),
])
async def test_same_entry_as_the_orm_in_one_statement(clean_db, valid_until, suspended,
                                                       status):
    await practitioner("25-R-0004321", valid_until=today() + valid_until, suspended=suspended)
    with count_queries() as counter:
        entry = await verify_practitioner("25-r-٠٠٠٤٣٢١")  # as typed: lower case, Arabic digits
    assert counter.count == 1
    assert entry == await registration_entry("25-R-0004321")
    assert entry["status"] is status
    assert isinstance(entry["valid_until"], dt.date)
    assert isinstance(entry["valid_from"], dt.date)
    assert entry["full_name_en"] == "Mohammed Abdullah Ahmed Alqahtani"
    assert entry["full_name_ar"] == "محمد عبدالله أحمد القحطاني"


async def test_unknown_and_junk(clean_db):
    await practitioner("25-R-0004321")
    with count_queries() as counter:
        assert await verify_practitioner("25-R-0004322") is None
        assert await verify_practitioner("x" * 10_000) is None  # junk: no statement at all
    assert counter.count == 1
