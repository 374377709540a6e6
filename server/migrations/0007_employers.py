from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_ops_deploy')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Organization',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name_ar', fields.CharField(max_length=200)),
                ('name_en', fields.CharField(max_length=200)),
                ('contact_email', fields.CharField(max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'organization', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A hospital or clinic group that checks practitioners through the API.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('prefix', fields.CharField(max_length=16)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.CharField(max_length=100)),
                ('requests_per_minute', fields.IntField(default=600)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_key', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Only a hash of the secret is kept, and `prefix` (its first characters) names it on'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RegisterChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('registration', fields.ForeignKeyField('models.Registration', source_field='registration_id', db_index=True, db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('registration_number', fields.CharField(max_length=20)),
                ('type', fields.CharField(max_length=40)),
                ('status', fields.CharField(max_length=12)),
                ('valid_until', fields.DateField()),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=100)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'register_change', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The change feed: every change of the public register, in order (id is the cursor).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WatchedPractitioner',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='watches', on_delete=OnDelete.CASCADE)),
                ('registration', fields.ForeignKeyField('models.Registration', source_field='registration_id', db_index=True, db_constraint=True, to_field='id', related_name='watchers', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'watched_practitioner', 'app': 'models', 'unique_together': (('organization', 'registration'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('webhook_id', fields.CharField(unique=True, max_length=40)),
                ('event_type', fields.CharField(max_length=40)),
                ('registration_number', fields.CharField(max_length=20)),
                ('body', fields.TextField(unique=False)),
                ('attempts', fields.IntField(default=0)),
                ('status_code', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One event for one organisation: its body (fixed when the event happened), its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='endpoint', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=500)),
                ('events', fields.CharField(max_length=200)),
                ('secret', fields.CharField(max_length=100)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One per organisation. The secret signs deliveries (HMAC), so it is kept as is:'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='ordering_key',
            field=fields.CharField(null=True, db_index=True, max_length=100),
        ),
    ]
