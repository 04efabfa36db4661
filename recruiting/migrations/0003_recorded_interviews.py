from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from recruiting.models.recorded import AnalysisStatus, AnswerStatus, SubjectKind, UploadStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0002_conversation_order_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Answer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interview', fields.ForeignKeyField('recruiting.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('question_index', fields.SmallIntField()),
                ('status', fields.CharEnumField(default=AnswerStatus.REVEALED, description='REVEALED: revealed\nSUBMITTED: submitted\nSKIPPED: skipped', enum_type=AnswerStatus, max_length=16)),
                ('revealed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('retakes_used', fields.SmallIntField(default=0)),
                ('media_key', fields.CharField(default='', max_length=256)),
                ('media_sha256', fields.CharField(default='', max_length=64)),
                ('media_bytes', fields.BigIntField(default=0)),
                ('media_seconds', fields.FloatField(null=True)),
                ('media_type', fields.CharField(default='', max_length=64)),
                ('analysis_status', fields.CharEnumField(default=AnalysisStatus.NONE, description='NONE: none\nQUEUED: queued\nPROCESSING: processing\nDONE: done\nFAILED: failed\nSKIPPED: skipped', enum_type=AnalysisStatus, max_length=16)),
                ('analysis_reason', fields.CharField(default='', max_length=512)),
                ('analysis', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('analysis_attempts', fields.SmallIntField(default=0)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'answer', 'app': 'recruiting', 'unique_together': (('interview', 'question_index'),), 'pk_attr': 'id', 'table_description': 'One question of one recorded interview: when it was shown, what came back.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AppSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('kind', fields.CharEnumField(description='CANDIDATE: candidate\nSTAFF: staff\nVISITOR: visitor', enum_type=SubjectKind, max_length=16)),
                ('candidate', fields.ForeignKeyField('recruiting.Candidate', source_field='candidate_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('recruiting.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('openid', fields.CharField(default='', max_length=64)),
                ('session_key_enc', fields.TextField(default='', unique=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'app_session', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': "A short-lived, revocable session of the mini-app (the service's own token)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CandidateSummary',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interview', fields.OneToOneField('recruiting.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='summary', on_delete=OnDelete.CASCADE)),
                ('strengths', fields.TextField(default='', unique=False)),
                ('improvements', fields.TextField(default='', unique=False)),
                ('next_step', fields.TextField(default='', unique=False)),
                ('released_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('released_by', fields.CharField(default='', max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'candidate_summary', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'What the candidate may read about their interview, once a person released it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IntegrityEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interview', fields.ForeignKeyField('recruiting.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='integrity_events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('question_index', fields.SmallIntField(null=True)),
                ('client_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('detail', fields.CharField(default='', max_length=256)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'integrity_event', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'What the client reported during a recorded interview (app backgrounded, network switch,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('interview', fields.ForeignKeyField('recruiting.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('created_by', fields.CharField(max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('redeemed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('redeemed_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invitation', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'A one-time link or QR code that binds a WeChat user to a recorded interview.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Upload',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('answer', fields.ForeignKeyField('recruiting.Answer', source_field='answer_id', db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.CASCADE)),
                ('attempt', fields.SmallIntField(default=0)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('media_type', fields.CharField(max_length=64)),
                ('received', fields.BigIntField(default=0)),
                ('status', fields.CharEnumField(default=UploadStatus.OPEN, description='OPEN: open\nCOMPLETE: complete\nREJECTED: rejected\nDISCARDED: discarded', enum_type=UploadStatus, max_length=16)),
                ('error', fields.CharField(default='', max_length=512)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'upload', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'A resumable upload: ``received`` is the last acknowledged byte, advanced atomically.'},
            bases=['Model'],
        ),
    ]
