"""The settings admins edit."""

from tortoise import fields
from tortoise.models import Model


class Setting(Model):
    """Admin-editable configuration (fee schedule, question sets, review targets), as JSON
    under a key; the code's defaults apply where no row exists."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by_id = fields.UUIDField(null=True)

    class Meta:
        table = "setting"
