"""The register search (issue 17): each practitioner's name terms in `name_search`, filled
for the records already there, and an index that finds a term's start without reading
every row: a full-text GIN index on PostgreSQL (prefix queries `term:*` over the
`simple` configuration, which keeps every term as it is), an FTS5 table on SQLite (prefix
queries `"term"*`) kept in step with the column by triggers.

Full text rather than pg_trgm: a name term is a whole token, and a prefix of a token is a
range of the index's sorted terms; trigrams of short, common names ("mahamad") match most
rows and left the planner reading the table (measured at 30,000 practitioners, S9)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from server.domain.name_search import indexed_terms

GIVEN = [f"{part}_name_{lang}" for lang in ("ar", "en") for part in ("first", "father",
                                                                      "grandfather")]
FAMILY = ["family_name_ar", "family_name_en"]

# The FTS table names the practitioner by id (an UNINDEXED column), not by rowid: a table
# whose key is not an INTEGER PRIMARY KEY may get new rowids from VACUUM.
SQLITE_UP = """
CREATE VIRTUAL TABLE practitioner_name_fts USING fts5(
    practitioner_id UNINDEXED, name_search, tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3');
INSERT INTO practitioner_name_fts (practitioner_id, name_search)
    SELECT id, name_search FROM practitioner;
CREATE TRIGGER practitioner_name_fts_insert AFTER INSERT ON practitioner BEGIN
    INSERT INTO practitioner_name_fts (practitioner_id, name_search)
        VALUES (new.id, new.name_search);
END;
CREATE TRIGGER practitioner_name_fts_update AFTER UPDATE OF name_search ON practitioner
BEGIN
    UPDATE practitioner_name_fts SET name_search = new.name_search
        WHERE practitioner_id = old.id;
END;
CREATE TRIGGER practitioner_name_fts_delete AFTER DELETE ON practitioner BEGIN
    DELETE FROM practitioner_name_fts WHERE practitioner_id = old.id;
END;
"""
SQLITE_DOWN = """
DROP TRIGGER IF EXISTS practitioner_name_fts_insert;
DROP TRIGGER IF EXISTS practitioner_name_fts_update;
DROP TRIGGER IF EXISTS practitioner_name_fts_delete;
DROP TABLE IF EXISTS practitioner_name_fts;
"""
PG_UP = """
CREATE INDEX IF NOT EXISTS practitioner_name_search_fts ON practitioner
    USING gin (to_tsvector('simple', name_search));
"""
PG_DOWN = "DROP INDEX IF EXISTS practitioner_name_search_fts;"


async def fill_and_index(apps, schema_editor) -> None:
    client = schema_editor.client
    rows = await client.execute_query_dict(
        f"SELECT id, {', '.join(GIVEN + FAMILY)} FROM practitioner")
    postgres = client.capabilities.dialect == "postgres"
    update = ("UPDATE practitioner SET name_search = $1 WHERE id = $2" if postgres
              else "UPDATE practitioner SET name_search = ? WHERE id = ?")
    if rows:
        await client.execute_many(update, [
            [indexed_terms([r[f] for f in GIVEN], [r[f] for f in FAMILY]), r["id"]]
            for r in rows])
    await client.execute_script(PG_UP if postgres else SQLITE_UP)


async def drop_index(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    await client.execute_script(PG_DOWN if postgres else SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("models", "0009_credential")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Practitioner",
            name="name_search",
            field=fields.TextField(default="", unique=False),
        ),
        ops.RunPython(fill_and_index, drop_index),
    ]
