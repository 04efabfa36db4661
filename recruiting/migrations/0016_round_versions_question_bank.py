from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0015_workbench_sessions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BankQuestion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('text', fields.CharField(max_length=500)),
                ('competencies', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('prep_seconds', fields.SmallIntField(default=30)),
                ('answer_seconds', fields.SmallIntField(default=180)),
                ('retakes', fields.SmallIntField(default=1)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'bank_question', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'A question of the bank, filed under the competencies it targets, picked into recorded'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoundVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('recruiting.InterviewRound', source_field='round_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.RESTRICT)),
                ('number', fields.SmallIntField()),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('digest', fields.CharField(max_length=64)),
                ('created_by', fields.CharField(default='system', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'interview_round_version', 'app': 'recruiting', 'unique_together': (('round', 'number'),), 'pk_attr': 'id', 'table_description': 'An immutable snapshot of a round (``recruiting.domain.round_version.RoundContent``):'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Interview',
            name='round_version',
            field=fields.ForeignKeyField('recruiting.RoundVersion', source_field='round_version_id', null=True, db_constraint=True, to_field='id', related_name='interviews', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='InterviewRound',
            name='closed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='InterviewRound',
            name='deadline_days',
            field=fields.SmallIntField(default=7, db_default=7),
        ),
        ops.AddField(
            model_name='InterviewRound',
            name='meeting_link',
            field=fields.CharField(default='', db_default='', max_length=512),
        ),
    ]
