from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_audit_append_only')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Application',
            name=None,
            fields=['status', 'submitted_at'],
        ),
        ops.AddIndex(
            model_name='Application',
            index=Index(fields=['status', 'submitted_at', 'id']),
        ),
    ]
