from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [("models", "0014_portal_forms")]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApplicationNote',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_index=True, db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Account', source_field='author_id', db_index=True, db_constraint=True, to_field='id', related_name='application_notes', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'application_note', 'app': 'models', 'pk_attr': 'id', 'table_description': "A staff member's note on an application, for staff only."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApprovalRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('action', fields.CharField(db_index=True, max_length=32)),
                ('status', fields.CharField(default='PENDING', db_index=True, max_length=12)),
                ('target', fields.CharField(default='', db_index=True, max_length=64)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('summary', fields.CharField(default='', max_length=300)),
                ('requested_by', fields.ForeignKeyField('models.Account', source_field='requested_by_id', db_index=True, db_constraint=True, to_field='id', related_name='approval_requests', on_delete=OnDelete.CASCADE)),
                ('requested_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('decided_by_id', fields.UUIDField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_reason', fields.TextField(default='', unique=False)),
                ('result', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'approval_request', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A sensitive action waiting for a second admin (PENDING), then APPROVED (done) or'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Account',
            name='must_change_password',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Application',
            name='assigned_team',
            field=fields.CharField(default='', max_length=60),
        ),
        ops.AddField(
            model_name='Application',
            name='assigned_to_id',
            field=fields.UUIDField(null=True, db_index=True),
        ),
        ops.AddField(
            model_name='Application',
            name='escalated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
