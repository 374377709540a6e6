from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_passkeys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SigningKey',
            fields=[
                ('kid', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('alg', fields.CharField(max_length=10)),
                ('public_jwk', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('private_sealed', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('signed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'signing_key', 'app': 'models', 'pk_attr': 'kid'},
            bases=['Model'],
        ),
    ]
