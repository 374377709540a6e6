"""A human reference for every application ("A-2026-000123", issue 16.12), quoted in
pages, emails and SMS instead of the internal id. Existing applications get theirs in the
order they were opened, each with the year it was opened; the counter carries on from the
last one."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from server.domain.applications import format_application_reference


async def number_existing(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    rows = await client.execute_query_dict(
        "SELECT id, created_at FROM application ORDER BY created_at, id")
    update = ("UPDATE application SET reference = $1 WHERE id = $2" if postgres
              else "UPDATE application SET reference = ? WHERE id = ?")
    if rows:
        values = []
        for number, row in enumerate(rows, start=1):
            created = row["created_at"]
            year = created.year if hasattr(created, "year") else int(str(created)[:4])
            values.append([format_application_reference(year, number), row["id"]])
        await client.execute_many(update, values)
    insert = ("INSERT INTO counter (name, value) VALUES ($1, $2)" if postgres
              else "INSERT INTO counter (name, value) VALUES (?, ?)")
    await client.execute_query(insert, ["application", len(rows)])


async def nothing(apps, schema_editor) -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [("models", "0010_register_search")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Counter",
            fields=[
                ("name", fields.CharField(primary_key=True, unique=True, db_index=True,
                                          max_length=32)),
                ("value", fields.BigIntField(default=0)),
            ],
            options={"table": "counter", "app": "models", "pk_attr": "name",
                     "table_description": 'A number that only goes up, one row per name ("application"): taking the next one'},
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Application",
            name="reference",
            field=fields.CharField(unique=True, null=True, max_length=16),
        ),
        ops.RunPython(number_existing, nothing),
    ]
