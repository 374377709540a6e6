"""The register search at 1,000,000 practitioners, second pass (S9): a posting list.

Migrations 0010 and 0012 find a name through the full-text GIN index, which answers a set of
people in no order: a common name ("Alqahtani", tens of thousands at 1,000,000) had to be
read whole, or the register walked row by row, before its first page in registration-number
order could be given (43–130 ms a statement, and PostgreSQL saturated at 50 searches a
second). `register_posting` holds one row for each term of each registered practitioner's
name (`practitioner.name_search`), with the registration's number and the columns the search
filters on, under one index on (term, number): a term's people are then already in the
order the search answers in, each filter is tested in the index (an index-only scan), and
the terms of a query are intersected by a merge join that stops at the page's end
(server/resolvers/register/search.py, `_posting_statement`).

Kept current by statement triggers (one statement however many rows, as an import or a COPY
writes): a registration written, or a practitioner whose names or category changed, has its
rows written again; a registration deleted takes its rows with it (the foreign key).

PostgreSQL only: SQLite keeps its FTS5 table (migration 0010).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

PG_UP = """
CREATE TABLE IF NOT EXISTS register_posting (
    term text COLLATE "C" NOT NULL,
    number varchar(20) NOT NULL,
    registration_id bigint NOT NULL REFERENCES registration (id) ON DELETE CASCADE,
    category varchar(16) NOT NULL,
    specialty varchar(40) NOT NULL,
    suspended boolean NOT NULL,
    valid_until date NOT NULL
);
-- SET search_path FROM CURRENT: the functions find the tables in this schema whatever the
-- writing session's search_path (a COPY naming the schema, say).
CREATE OR REPLACE FUNCTION register_posting_add(ids bigint[]) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    INSERT INTO register_posting
        SELECT DISTINCT t, r.number, r.id, p.category, r.specialty, r.suspended, r.valid_until
        FROM registration r JOIN practitioner p ON p.id = r.practitioner_id,
             unnest(string_to_array(btrim(p.name_search), ' ')) t
        WHERE r.id = ANY (ids) AND t <> '';
$$;
CREATE OR REPLACE FUNCTION register_posting_refresh(ids bigint[]) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    DELETE FROM register_posting WHERE registration_id = ANY (ids);
    SELECT register_posting_add(ids);
$$;
-- A new registration has no rows yet (they go with it when it is deleted): only added, so
-- that a bulk load without the indexes (bench/bulk_registry.py) deletes nothing.
CREATE OR REPLACE FUNCTION register_posting_registration_added() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM register_posting_add(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION register_posting_registration_changed() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM register_posting_refresh(ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.number, n.specialty, n.suspended, n.valid_until, n.practitioner_id)
              IS DISTINCT FROM (o.number, o.specialty, o.suspended, o.valid_until,
                                o.practitioner_id)));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION register_posting_practitioner_changed() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM register_posting_refresh(ARRAY(
        SELECT r.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            JOIN registration r ON r.practitioner_id = n.id
        WHERE (n.name_search, n.category) IS DISTINCT FROM (o.name_search, o.category)));
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER register_posting_registration_insert AFTER INSERT ON registration
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION register_posting_registration_added();
CREATE OR REPLACE TRIGGER register_posting_registration_update AFTER UPDATE ON registration
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION register_posting_registration_changed();
CREATE OR REPLACE TRIGGER register_posting_practitioner_update AFTER UPDATE ON practitioner
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION register_posting_practitioner_changed();
INSERT INTO register_posting
    SELECT DISTINCT t, r.number, r.id, p.category, r.specialty, r.suspended, r.valid_until
    FROM registration r JOIN practitioner p ON p.id = r.practitioner_id,
         unnest(string_to_array(btrim(p.name_search), ' ')) t
    WHERE t <> '';
-- The search's index: a term's people in number order, with what the filters test.
CREATE INDEX IF NOT EXISTS register_posting_term_number ON register_posting (term, number)
    INCLUDE (category, specialty, suspended, valid_until);
-- The suspended are few: a search for them reads only theirs.
CREATE INDEX IF NOT EXISTS register_posting_suspended ON register_posting (term, number)
    WHERE suspended;
-- For the triggers and the foreign key's cascade.
CREATE INDEX IF NOT EXISTS register_posting_registration ON register_posting (registration_id);
ANALYZE register_posting;
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS register_posting_registration_insert ON registration;
DROP TRIGGER IF EXISTS register_posting_registration_update ON registration;
DROP TRIGGER IF EXISTS register_posting_practitioner_update ON practitioner;
DROP FUNCTION IF EXISTS register_posting_registration_added();
DROP FUNCTION IF EXISTS register_posting_registration_changed();
DROP FUNCTION IF EXISTS register_posting_practitioner_changed();
DROP FUNCTION IF EXISTS register_posting_refresh(bigint[]);
DROP FUNCTION IF EXISTS register_posting_add(bigint[]);
DROP TABLE IF EXISTS register_posting;
"""


async def create(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(PG_UP)


async def drop(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("models", "0016_staff_reports")]

    initial = False

    operations = [ops.RunPython(create, drop)]
