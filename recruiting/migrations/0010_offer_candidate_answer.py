from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0009_invitation_withdrawn')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Offer',
            name='answered_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Offer',
            name='candidate_answer',
            field=fields.CharField(default='', max_length=16),
        ),
    ]
