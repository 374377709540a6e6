"""Every service is an application with the same life cycle (server/domain/applications.py)."""

from tortoise import fields
from tortoise.models import Model


class Application(Model):
    id = fields.UUIDField(primary_key=True)
    kind = fields.CharField(max_length=32, db_index=True)
    status = fields.CharField(max_length=20, db_index=True)
    applicant = fields.ForeignKeyField("models.Account", related_name="applications",
                                       db_index=True, on_delete=fields.CASCADE)
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name="applications",
                                          null=True, db_index=True, on_delete=fields.CASCADE)
    # What the applicant asked for and answered (kind-specific).
    data = fields.JSONField(default=dict)
    # The record and answers frozen at submission, for the reviewer.
    snapshot = fields.JSONField(null=True)
    years = fields.IntField(null=True)
    fee = fields.DecimalField(max_digits=10, decimal_places=2, null=True)
    # True when every rule passed with no risk answer: approved the moment it is paid.
    auto_approvable = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    submitted_at = fields.DatetimeField(null=True, db_index=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by_id = fields.UUIDField(null=True)
    decision_reason = fields.TextField(default="")
    # A reviewer's claim on the application, which lapses at claimed_until.
    claimed_by_id = fields.UUIDField(null=True, db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    # Assigned by a supervisor to one reviewer or to a team (server/resolvers/review/workflow.py).
    assigned_to_id = fields.UUIDField(null=True, db_index=True)
    assigned_team = fields.CharField(max_length=60, default="")
    # When supervisors were told it is overdue (once per application).
    escalated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "application"
        # (status, submitted_at, id): the reviewers' queue, one keyset range per status.
        indexes = (("status", "submitted_at", "id"), ("applicant_id", "created_at"))


class ApplicationEvent(Model):
    """Each transition: who, when, from what to what, and why."""

    id = fields.BigIntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="events",
                                         db_index=True, on_delete=fields.CASCADE)
    at = fields.DatetimeField(auto_now_add=True)
    actor_id = fields.UUIDField(null=True)
    from_status = fields.CharField(max_length=20, default="")
    to_status = fields.CharField(max_length=20)
    reason = fields.TextField(default="")

    class Meta:
        table = "application_event"


class ApplicationDocument(Model):
    id = fields.BigIntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="documents",
                                         db_index=True, on_delete=fields.CASCADE)
    document = fields.ForeignKeyField("models.Document", related_name="applications",
                                      db_index=True, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=32)

    class Meta:
        table = "application_document"
        unique_together = (("application", "document"),)
