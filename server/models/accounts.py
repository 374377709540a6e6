from tortoise import fields
from tortoise.models import Model


class Account(Model):
    id = fields.UUIDField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    mobile = fields.CharField(max_length=16, db_index=True)
    first_name = fields.CharField(max_length=100)
    family_name = fields.CharField(max_length=100)
    password_hash = fields.CharField(max_length=200)
    # PENDING until both the email and the mobile are verified; DISABLED by staff.
    status = fields.CharField(max_length=16, default="PENDING", db_index=True)
    roles = fields.CharField(max_length=100, default="PRACTITIONER")
    language = fields.CharField(max_length=2, default="ar")
    email_verified_at = fields.DatetimeField(null=True)
    mobile_verified_at = fields.DatetimeField(null=True)
    totp_secret = fields.CharField(max_length=64, null=True)
    totp_pending_secret = fields.CharField(max_length=64, null=True)
    totp_last_step = fields.BigIntField(default=0)
    failed_logins = fields.IntField(default=0)
    last_failed_login_at = fields.DatetimeField(null=True)
    locked_at = fields.DatetimeField(null=True)
    # Staff created with a temporary password must choose their own at first sign-in.
    must_change_password = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account"

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]

    @property
    def is_staff(self) -> bool:
        return any(r in ("REVIEWER", "ADMIN") for r in self.role_list)


class Session(Model):
    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    account = fields.ForeignKeyField("models.Account", related_name="sessions", db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    ip = fields.CharField(max_length=45, default="")
    user_agent = fields.CharField(max_length=200, default="")

    class Meta:
        table = "session"


class OneTimeCode(Model):
    """A 6-digit code or an email-link token, stored as an HMAC and bound to its purpose."""

    id = fields.UUIDField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="codes", db_index=True)
    purpose = fields.CharField(max_length=24)
    channel = fields.CharField(max_length=8)
    target = fields.CharField(max_length=254, default="")
    code_hmac = fields.CharField(max_length=64, db_index=True)
    expires_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "one_time_code"
        indexes = (("account_id", "purpose", "created_at"),)


class RateCounter(Model):
    """Fixed-window counters for rate limits, shared by every app process."""

    key = fields.CharField(max_length=200, primary_key=True)
    window_start = fields.DatetimeField()
    count = fields.IntField(default=0)

    class Meta:
        table = "rate_counter"


class UsedCaptcha(Model):
    """An ALTCHA solution is accepted once: its signature is kept until it expires."""

    signature = fields.CharField(max_length=128, primary_key=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "used_captcha"


class Passkey(Model):
    """A WebAuthn credential (a passkey): its public key and signature counter. The private
    key never leaves the person's device."""

    id = fields.UUIDField(primary_key=True)
    account = fields.ForeignKeyField("models.Account", related_name="passkeys", db_index=True)
    # base64url of the raw credential id (at most 1023 bytes by the WebAuthn spec).
    # Docstrings here become table comments: a semicolon in one breaks the SQLite migration.
    credential_id = fields.CharField(max_length=1366, unique=True)
    public_key = fields.BinaryField()
    sign_count = fields.BigIntField(default=0)
    transports = fields.CharField(max_length=200, default="")
    name = fields.CharField(max_length=60, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "passkey"


class PasskeyChallenge(Model):
    """A WebAuthn challenge, kept on the server, used once, for 5 minutes. A registration
    challenge belongs to the account and the session that asked for it."""

    id = fields.UUIDField(primary_key=True)
    purpose = fields.CharField(max_length=12)
    account = fields.ForeignKeyField("models.Account", related_name="passkey_challenges",
                                     null=True, db_index=True)
    session_id = fields.BigIntField(null=True)
    challenge = fields.CharField(max_length=100)
    expires_at = fields.DatetimeField(db_index=True)
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "passkey_challenge"
