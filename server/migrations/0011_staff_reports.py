"""Staff reports (issue 21): when a payment was refunded, so refunds can be counted per day
and reconciled with the gateway, and why (an admin's reason, also for a refund nobody asked
for: a duplicate, a gateway error)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0010_register_search")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Payment",
            name="refunded_at",
            field=fields.DatetimeField(null=True, db_index=True),
        ),
        ops.AddField(
            model_name="Payment",
            name="refund_reason",
            field=fields.CharField(max_length=500, default=""),
        ),
    ]
