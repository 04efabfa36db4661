from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from recruiting.models.surveys import Respondent
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0007_offers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interview', fields.ForeignKeyField('recruiting.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='survey_responses', on_delete=OnDelete.CASCADE)),
                ('respondent', fields.CharEnumField(description='CANDIDATE: candidate\nINTERVIEWER: interviewer', enum_type=Respondent, max_length=16)),
                ('respondent_key', fields.CharField(max_length=64)),
                ('staff', fields.ForeignKeyField('recruiting.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='survey_responses', on_delete=OnDelete.SET_NULL)),
                ('channel', fields.CharField(default='', max_length=32)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('step', fields.CharField(default='', max_length=24)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('comment', fields.TextField(default='', unique=False)),
                ('first_answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('task_id', fields.CharField(default='', max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'survey_response', 'app': 'recruiting', 'unique_together': (('interview', 'respondent_key'),), 'indexes': [Index(fields=['respondent', 'answered_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CandidateSummary',
            name='basis',
            field=fields.CharField(default='', max_length=16),
        ),
        ops.AddField(
            model_name='CandidateSummary',
            name='drafted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='CandidateSummary',
            name='for_rejection',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='CandidateSummary',
            name='hr_notes',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='CandidateSummary',
            name='needs_writing',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='CandidateSummary',
            name='release_due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Interview',
            name='completed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
