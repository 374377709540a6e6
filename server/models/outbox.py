from tortoise import fields
from tortoise.models import Model


class OutboxMessage(Model):
    """An email, SMS or outgoing webhook, written in the transaction that causes it."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=16)  # email | sms | webhook | standard_webhook
    recipient = fields.CharField(max_length=500)
    payload = fields.JSONField()
    # PENDING -> SENDING (claimed) -> SENT, or back to PENDING with a later next_attempt_at,
    # or DEAD after the last attempt.
    status = fields.CharField(max_length=8, default="PENDING")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    dedupe_key = fields.CharField(max_length=200, null=True, unique=True)
    # Messages sharing a key go out in id order: a later one waits while an earlier one is
    # still PENDING or SENDING (webhooks about one practitioner, for one organisation).
    ordering_key = fields.CharField(max_length=100, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    # The person an email or SMS is for: the notification inbox lists these rows, so
    # everything sent to an account is in its inbox (null: an address with no account, such
    # as a new email not yet confirmed, and webhooks). `read_at`: read in the inbox.
    account = fields.ForeignKeyField("models.Account", related_name="notifications", null=True,
                                     db_index=True, on_delete=fields.SET_NULL)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)


class JobLease(Model):
    """When a scheduled job (the worker's periodic sweep) is next due, shared by every
    worker on every host: the worker whose conditional update moves `next_run_at` on is the
    one that runs it; the others see it already moved and skip."""

    name = fields.CharField(max_length=64, primary_key=True)
    next_run_at = fields.DatetimeField()
    taken_by = fields.CharField(max_length=64, default="")
    taken_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job_lease"
