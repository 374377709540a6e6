from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """Append-only: who did what, when, from where. Identity numbers masked, no secrets."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor_id = fields.UUIDField(null=True, db_index=True)
    action = fields.CharField(max_length=64, db_index=True)
    target_type = fields.CharField(max_length=32, default="")
    target_id = fields.CharField(max_length=64, default="", db_index=True)
    ip = fields.CharField(max_length=45, default="")
    details = fields.JSONField(default=dict)

    class Meta:
        table = "audit_entry"
