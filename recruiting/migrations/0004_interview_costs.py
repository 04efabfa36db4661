from tortoise import migrations
from tortoise.migrations import operations as ops
from recruiting.models.costs import CostKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0003_recorded_interviews')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InterviewCost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interview', fields.ForeignKeyField('recruiting.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='costs', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='VENUE: venue\nTRAVEL: travel\nOTHER: other', enum_type=CostKind, max_length=8)),
                ('amount', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('currency', fields.CharField(default='CNY', max_length=3)),
                ('note', fields.CharField(default='', max_length=256)),
                ('recorded_by', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'interview_cost', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'One expense of one interview, as finance paid it (amount in ``currency``).'},
            bases=['Model'],
        ),
    ]
