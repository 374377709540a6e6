"""Employers: organisations, their API keys, watch lists, webhook endpoint and the log of
what was delivered to it; and the register's change feed that bulk consumers page through."""

from tortoise import fields
from tortoise.models import Model


class Organization(Model):
    """A hospital or clinic group that checks practitioners through the API."""

    id = fields.UUIDField(primary_key=True)
    name_ar = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)
    contact_email = fields.CharField(max_length=254)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organization"


class ApiKey(Model):
    """Only a hash of the secret is kept, and `prefix` (its first characters) names it on
    screens. Revocation is a timestamp, checked on every request."""

    id = fields.UUIDField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="api_keys",
                                          db_index=True, on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16)
    secret_hash = fields.CharField(max_length=64, unique=True)
    scopes = fields.CharField(max_length=100)  # comma-separated: REGISTER_READ,WATCH
    requests_per_minute = fields.IntField(default=600)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split(",") if s]


class WatchedPractitioner(Model):
    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="watches",
                                          db_index=True, on_delete=fields.CASCADE)
    registration = fields.ForeignKeyField("models.Registration", related_name="watchers",
                                          db_index=True, on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "watched_practitioner"
        unique_together = (("organization", "registration"),)


class WebhookEndpoint(Model):
    """One per organisation. The secret signs deliveries (HMAC), so it is kept as is:
    it can be read back only by the worker, never through the API after it was set."""

    id = fields.BigIntField(primary_key=True)
    organization = fields.OneToOneField("models.Organization", related_name="endpoint",
                                        on_delete=fields.CASCADE)
    url = fields.CharField(max_length=500)
    events = fields.CharField(max_length=200)  # comma-separated event types
    secret = fields.CharField(max_length=100)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhook_endpoint"

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]


class WebhookDelivery(Model):
    """One event for one organisation: its body (fixed when the event happened), its
    webhook-id (the same on every retry) and how delivering it went."""

    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="deliveries",
                                          db_index=True, on_delete=fields.CASCADE)
    webhook_id = fields.CharField(max_length=40, unique=True)
    event_type = fields.CharField(max_length=40)
    registration_number = fields.CharField(max_length=20)
    body = fields.TextField()
    attempts = fields.IntField(default=0)
    status_code = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_attempt_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        indexes = (("organization_id", "id"),)


class RegisterChange(Model):
    """The change feed: every change of the public register, in order (id is the cursor).
    What the register showed after the change is copied in, so a page is one query."""

    id = fields.BigIntField(primary_key=True)
    registration = fields.ForeignKeyField("models.Registration", related_name="changes",
                                          db_index=True, on_delete=fields.CASCADE)
    registration_number = fields.CharField(max_length=20)
    type = fields.CharField(max_length=40)
    status = fields.CharField(max_length=12)
    valid_until = fields.DateField()
    # Events found by the daily job (expired) are recorded once: the key says which.
    dedupe_key = fields.CharField(max_length=100, null=True, unique=True)
    changed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "register_change"
