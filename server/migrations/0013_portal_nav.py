"""The notification inbox (issue 16, point 15): an outbox email or SMS names the account it
is for, and remembers when that account read it in the portal."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0012_s9")]

    initial = False

    operations = [
        ops.AddField(
            model_name="OutboxMessage",
            name="account",
            field=fields.ForeignKeyField("models.Account", source_field="account_id",
                                         null=True, db_index=True, db_constraint=True,
                                         to_field="id", related_name="notifications",
                                         on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name="OutboxMessage",
            name="read_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
