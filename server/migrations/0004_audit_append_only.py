"""The audit log is append-only: on PostgreSQL the database itself refuses UPDATE and
DELETE on audit_entry (TRUNCATE, an operator's deliberate act, is not a row change).
SQLite has no roles or operators to guard against and is left as it is."""

from tortoise import migrations
from tortoise.migrations import operations as ops

FORBID = """
CREATE OR REPLACE FUNCTION audit_entry_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_is_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry;
DROP FUNCTION IF EXISTS audit_entry_is_append_only();
"""


async def _run_on_postgres(sql: str, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(sql)


async def forbid_changes(apps, schema_editor) -> None:
    await _run_on_postgres(FORBID, schema_editor)


async def allow_changes(apps, schema_editor) -> None:
    await _run_on_postgres(ALLOW, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("models", "0003_services_certificates_refunds")]
    initial = False
    operations = [ops.RunPython(forbid_changes, allow_changes)]
