"""Staff workflow: internal notes on an application (never shown to its applicant) and
four-eyes requests (an admin asks, a second admin approves or refuses)."""

from tortoise import fields
from tortoise.models import Model


class ApplicationNote(Model):
    """A staff member's note on an application, for staff only."""

    id = fields.BigIntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="notes",
                                         db_index=True, on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.Account", related_name="application_notes",
                                    db_index=True, on_delete=fields.CASCADE)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "application_note"


class ApprovalRequest(Model):
    """A sensitive action waiting for a second admin (PENDING), then APPROVED (done) or
    REFUSED. A suspension is done at once and its request confirms it afterwards."""

    id = fields.UUIDField(primary_key=True)
    action = fields.CharField(max_length=32, db_index=True)
    status = fields.CharField(max_length=12, default="PENDING", db_index=True)
    # What it acts on (a registration number, a payment id), to find a pending twin.
    target = fields.CharField(max_length=64, default="", db_index=True)
    params = fields.JSONField(default=dict)
    summary = fields.CharField(max_length=300, default="")
    requested_by = fields.ForeignKeyField("models.Account", related_name="approval_requests",
                                          db_index=True, on_delete=fields.CASCADE)
    requested_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    decided_by_id = fields.UUIDField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decision_reason = fields.TextField(default="")
    result = fields.JSONField(default=dict)

    class Meta:
        table = "approval_request"
