from tortoise import fields
from tortoise.models import Model


class Document(Model):
    """An uploaded file, stored outside the web root under a random key."""

    id = fields.UUIDField(primary_key=True)
    owner = fields.ForeignKeyField("models.Account", related_name="documents", db_index=True,
                                   on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=32)
    content_type = fields.CharField(max_length=40)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=100, unique=True)
    original_name = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    # Set when first attached to an entry or an application; unattached documents are
    # deleted after 24 hours.
    attached_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "document"
