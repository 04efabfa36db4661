from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0001_initial')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='InboxEvent',
            index=Index(fields=['from_user', 'status']),
        ),
        ops.AddIndex(
            model_name='OutboxMessage',
            index=Index(fields=['recipient', 'status']),
        ),
    ]
