from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('mobile', fields.CharField(db_index=True, max_length=16)),
                ('first_name', fields.CharField(max_length=100)),
                ('family_name', fields.CharField(max_length=100)),
                ('password_hash', fields.CharField(max_length=200)),
                ('status', fields.CharField(default='PENDING', db_index=True, max_length=16)),
                ('roles', fields.CharField(default='PRACTITIONER', max_length=100)),
                ('language', fields.CharField(default='ar', max_length=2)),
                ('email_verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('mobile_verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('totp_secret', fields.CharField(null=True, max_length=64)),
                ('totp_pending_secret', fields.CharField(null=True, max_length=64)),
                ('totp_last_step', fields.BigIntField(default=0)),
                ('failed_logins', fields.IntField(default=0)),
                ('last_failed_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('locked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('actor_id', fields.UUIDField(null=True, db_index=True)),
                ('action', fields.CharField(db_index=True, max_length=64)),
                ('target_type', fields.CharField(default='', max_length=32)),
                ('target_id', fields.CharField(default='', db_index=True, max_length=64)),
                ('ip', fields.CharField(default='', max_length=45)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Append-only: who did what, when, from where. Identity numbers masked, no secrets.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OneTimeCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_index=True, db_constraint=True, to_field='id', related_name='codes', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharField(max_length=24)),
                ('channel', fields.CharField(max_length=8)),
                ('target', fields.CharField(default='', max_length=254)),
                ('code_hmac', fields.CharField(db_index=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'one_time_code', 'app': 'models', 'indexes': [Index(fields=['account_id', 'purpose', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A 6-digit code or an email-link token, stored as an HMAC and bound to its purpose.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=16)),
                ('recipient', fields.CharField(max_length=500)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='PENDING', max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'An email, SMS or outgoing webhook, written in the transaction that causes it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateCounter',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('window_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'rate_counter', 'app': 'models', 'pk_attr': 'key', 'table_description': 'Fixed-window counters for rate limits, shared by every app process.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_index=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(default='', max_length=45)),
                ('user_agent', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'session', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsedCaptcha',
            fields=[
                ('signature', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=128)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'used_captcha', 'app': 'models', 'pk_attr': 'signature', 'table_description': 'An ALTCHA solution is accepted once: its signature is kept until it expires.'},
            bases=['Model'],
        ),
    ]
