from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0022_rejection_reason_codes')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Interview',
            index=Index(fields=['round_id', 'round_version_id']),
        ),
        ops.AddIndex(
            model_name='ResumeFile',
            index=Index(fields=['candidate_id', 'id']),
        ),
    ]
