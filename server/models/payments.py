from tortoise import fields
from tortoise.models import Model


class Payment(Model):
    """One attempt to pay an application's fee with a gateway. Confirmed only by a verified
    callback or a server-side fetch; applied to its application exactly once."""

    id = fields.UUIDField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="payments",
                                         db_index=True, on_delete=fields.CASCADE)
    provider = fields.CharField(max_length=16)
    method = fields.CharField(max_length=12)
    # INITIATED → PAID, FAILED or EXPIRED; PAID → REFUNDED.
    status = fields.CharField(max_length=12, default="INITIATED", db_index=True)
    amount = fields.DecimalField(max_digits=10, decimal_places=2)
    currency = fields.CharField(max_length=3, default="SAR")
    # Saved before calling the gateway, so a retried call cannot create a second charge.
    idempotency_key = fields.CharField(max_length=64, unique=True)
    provider_payment_id = fields.CharField(max_length=100, null=True, unique=True)
    redirect_url = fields.CharField(max_length=1000, default="")
    sadad_bill_number = fields.CharField(max_length=40, default="")
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    paid_at = fields.DatetimeField(null=True)
    refunded_amount = fields.DecimalField(max_digits=10, decimal_places=2, default=0)
    # A refund asked for by the applicant (application cancelled before review): REQUESTED,
    # then REFUNDED (an admin approved and the gateway refunded) or DECLINED.
    refund_status = fields.CharField(max_length=12, default="")
    refund_requested_at = fields.DatetimeField(null=True)
    # The admin's decision, shown to the applicant: when, and the reason (a refusal's, or a
    # note with an approval).
    refund_decided_at = fields.DatetimeField(null=True)
    # When the money went back (an approved request, or an admin's own refund of a payment
    # nobody asked about): the refunds-per-day report counts by it.
    refunded_at = fields.DatetimeField(null=True, db_index=True)
    refund_reason = fields.CharField(max_length=500, default="")

    class Meta:
        table = "payment"


class PaymentEvent(Model):
    """Every gateway callback received, verified or not: de-duplicated by event id."""

    id = fields.BigIntField(primary_key=True)
    provider = fields.CharField(max_length=16)
    event_id = fields.CharField(max_length=100, unique=True)
    payment = fields.ForeignKeyField("models.Payment", related_name="events", null=True,
                                     db_index=True, on_delete=fields.SET_NULL)
    received_at = fields.DatetimeField(auto_now_add=True)
    verified = fields.BooleanField(default=False)
    outcome = fields.CharField(max_length=200, default="")
    payload = fields.JSONField(default=dict)

    class Meta:
        table = "payment_event"
