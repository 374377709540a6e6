from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_record_applications_payments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=24)),
                ('kind', fields.CharField(max_length=32)),
                ('practitioner', fields.ForeignKeyField('models.Practitioner', source_field='practitioner_id', db_index=True, db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.CASCADE)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.SET_NULL)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('valid_until', fields.DateField(null=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'certificate', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A good-standing or training certificate: a PDF with a QR code to the public page'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Setting',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('updated_by_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'setting', 'app': 'models', 'pk_attr': 'key', 'table_description': 'Admin-editable configuration (fee schedule, question sets, review targets), as JSON'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Payment',
            name='refund_requested_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Payment',
            name='refund_status',
            field=fields.CharField(default='', max_length=12),
        ),
    ]
