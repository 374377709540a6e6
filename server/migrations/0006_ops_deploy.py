from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_review_queue_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobLease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('next_run_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('taken_by', fields.CharField(default='', max_length=64)),
                ('taken_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_lease', 'app': 'models', 'pk_attr': 'name', 'table_description': "When a scheduled job (the worker's periodic sweep) is next due, shared by every"},
            bases=['Model'],
        ),
    ]
