"""Staff reports (issue 21): when a payment was refunded, so refunds can be counted per day
and reconciled with the gateway. Why it was refunded is `refund_reason`, which the refund
decision's migration (portal forms) added before this one."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0015_staff_workflow")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Payment",
            name="refunded_at",
            field=fields.DatetimeField(null=True, db_index=True),
        ),
    ]
