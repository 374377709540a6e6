"""The audit log cannot be changed after the fact: on PostgreSQL the database refuses."""

import asyncpg
import pytest
from tortoise.exceptions import OperationalError

from server.models.audit import AuditEntry
from server.resolvers.kernel import audit


@pytest.mark.postgres
async def test_updates_and_deletes_of_audit_rows_are_refused_by_the_database(clean_db):
    await audit.record("signin.failed", ip="127.0.0.1", reason="test")
    entry = await AuditEntry.get()
    with pytest.raises((OperationalError, asyncpg.exceptions.RaiseError), match="append-only"):
        await AuditEntry.filter(id=entry.id).update(action="nothing.happened")
    with pytest.raises((OperationalError, asyncpg.exceptions.RaiseError), match="append-only"):
        await AuditEntry.filter(id=entry.id).delete()
    assert (await AuditEntry.get()).action == "signin.failed"


async def test_audit_rows_mask_identity_numbers_and_never_keep_secrets(clean_db):
    await audit.record("claim.failed", number="1000000008", password="hunter2-secret",
                       code="123456", details={"token": "abc"})
    entry = await AuditEntry.get()
    flat = str(entry.details)
    assert "1000000008" not in flat and "0008" in flat
    assert "hunter2" not in flat and "123456" not in flat and "abc" not in flat
