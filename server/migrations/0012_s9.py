"""The register search at 1,000,000 practitioners (S9).

- `name_term`: every term of the practitioners' names (`practitioner.name_search`), kept
  by statement triggers on PostgreSQL (one INSERT a statement, however many rows), so that a
  query's term is turned into the terms it starts (a short range of this table) and the GIN
  index of migration 0010 is asked for those whole terms: a prefix query (`term:*`) makes
  GIN read every matching row's entry before it can intersect the terms, whole terms let it
  skip (at 1,000,000, "Mohammed Al-Qahtani": 56–100 ms in the index scan as prefixes,
  2–13 ms as whole terms, on a loaded machine).
- indexes that let a filtered search walk the register in registration-number order, the
  order it answers in, reading only the registrations that pass the filter: by specialty,
  and the suspended ones (few).

PostgreSQL only: SQLite keeps its FTS5 table (migration 0010), whose prefix indexes need
neither, and its statement (FTS first, then the filters) is unchanged.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = """
CREATE INDEX IF NOT EXISTS registration_specialty_number ON registration (specialty, number);
CREATE INDEX IF NOT EXISTS registration_suspended_number ON registration (number)
    WHERE suspended;
"""
PG_UP = """
CREATE TABLE IF NOT EXISTS name_term (term text COLLATE "C" PRIMARY KEY);
INSERT INTO name_term
    SELECT DISTINCT t FROM practitioner, unnest(string_to_array(btrim(name_search), ' ')) t
    WHERE t <> '' ON CONFLICT DO NOTHING;
-- SET search_path FROM CURRENT: the trigger finds name_term in this schema whatever the
-- writing session's search_path (a COPY naming the schema, say).
CREATE OR REPLACE FUNCTION name_term_add() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO name_term
        SELECT DISTINCT t FROM new_rows, unnest(string_to_array(btrim(new_rows.name_search),
                                                                ' ')) t
        WHERE t <> '' ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER name_term_insert AFTER INSERT ON practitioner REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION name_term_add();
CREATE OR REPLACE TRIGGER name_term_update AFTER UPDATE ON practitioner REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION name_term_add();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS name_term_insert ON practitioner;
DROP TRIGGER IF EXISTS name_term_update ON practitioner;
DROP FUNCTION IF EXISTS name_term_add();
DROP TABLE IF EXISTS name_term;
"""
DOWN = """
DROP INDEX IF EXISTS registration_specialty_number;
DROP INDEX IF EXISTS registration_suspended_number;
"""


async def create(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(INDEXES + PG_UP)


async def drop(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(PG_DOWN + DOWN)


class Migration(migrations.Migration):
    dependencies = [("models", "0011_application_reference")]

    initial = False

    operations = [ops.RunPython(create, drop)]
