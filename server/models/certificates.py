"""What the services besides renewal deliver: certificates."""

from tortoise import fields
from tortoise.models import Model


class Certificate(Model):
    """A good-standing or training certificate: a PDF with a QR code to the public page
    /verify/certificate/{code}, which says whether it is genuine and still valid."""

    id = fields.UUIDField(primary_key=True)
    code = fields.CharField(max_length=24, unique=True)
    kind = fields.CharField(max_length=32)  # GOOD_STANDING | TRAINING_CERTIFICATE
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name="certificates",
                                          db_index=True, on_delete=fields.CASCADE)
    application = fields.ForeignKeyField("models.Application", related_name="certificates",
                                         null=True, db_index=True, on_delete=fields.SET_NULL)
    issued_at = fields.DatetimeField(auto_now_add=True)
    valid_until = fields.DateField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    data = fields.JSONField(default=dict)

    class Meta:
        table = "certificate"
