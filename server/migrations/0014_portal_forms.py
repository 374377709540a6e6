"""Refunds leave a trace (issue 16 point 8): when an admin decided a refund and why, so the
applicant's application shows the refund's timeline."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0013_portal_nav")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Payment",
            name="refund_decided_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Payment",
            name="refund_reason",
            field=fields.CharField(default="", max_length=500),
        ),
    ]
