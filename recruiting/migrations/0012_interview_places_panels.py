from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0011_staff_departments')]

    initial = False

    operations = [
        ops.AddField(
            model_name='JobOpening',
            name='interview_location',
            field=fields.CharField(default='', db_default='', max_length=256),
        ),
        ops.AddField(
            model_name='InterviewRound',
            name='location',
            field=fields.CharField(default='', db_default='', max_length=256),
        ),
        ops.AddField(
            model_name='Staff',
            name='department',
            field=fields.CharField(default='', db_default='', max_length=128),
        ),
        ops.AddField(
            model_name='Staff',
            name='office',
            field=fields.CharField(default='', db_default='', max_length=256),
        ),
        ops.AddField(
            model_name='Staff',
            name='expertise',
            field=fields.JSONField(default=list, db_default=[]),
        ),
    ]
