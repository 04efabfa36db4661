from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from recruiting.models.invitations import InvitationStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0004_interview_costs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CandidateContact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('candidate', fields.OneToOneField('recruiting.Candidate', source_field='candidate_id', db_constraint=True, to_field='id', related_name='contact', on_delete=OnDelete.CASCADE)),
                ('kf_open_kfid', fields.CharField(default='', max_length=64)),
                ('kf_external_userid', fields.CharField(default='', db_index=True, max_length=64)),
                ('kf_window_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('kf_window_sent', fields.SmallIntField(default=0)),
                ('external_userid', fields.CharField(default='', db_index=True, max_length=64)),
                ('recruiter_userid', fields.CharField(default='', max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'candidate_contact', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'How one candidate can be reached: 微信客服 (with its reply window) and the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CandidateMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('outbox_key', fields.CharField(unique=True, max_length=160)),
                ('candidate', fields.ForeignKeyField('recruiting.Candidate', source_field='candidate_id', db_constraint=True, to_field='id', related_name='inbox_messages', on_delete=OnDelete.CASCADE)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('subject', fields.CharField(default='', max_length=64)),
                ('route', fields.CharField(default='', max_length=16)),
                ('delivery', fields.CharField(default='', max_length=32)),
                ('result', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('answer_key', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'candidate_message', 'app': 'recruiting', 'indexes': [Index(fields=['candidate_id', 'id'])], 'pk_attr': 'id', 'table_description': 'The mini-app inbox: every message to a candidate, whatever route carried it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CandidateReply',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source_id', fields.CharField(unique=True, max_length=128)),
                ('candidate_id', fields.IntField()),
                ('invitation_id', fields.IntField(null=True)),
                ('text', fields.CharField(default='', max_length=256)),
                ('outcome', fields.CharField(default='', max_length=32)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'candidate_reply', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'An answer received once (kf msgid or mini-app answer): repeats are recognised.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CardCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('task_id', fields.CharField(max_length=128)),
                ('userid', fields.CharField(max_length=64)),
                ('response_code', fields.CharField(max_length=256)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'card_code', 'app': 'recruiting', 'indexes': [Index(fields=['task_id', 'userid'])], 'pk_attr': 'id', 'table_description': 'A ``response_code`` WeCom gave for a staff card (sent or clicked), each works once,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContactWay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('state', fields.CharField(unique=True, max_length=30)),
                ('userid', fields.CharField(max_length=64)),
                ('config_id', fields.CharField(max_length=64)),
                ('qr_code', fields.CharField(default='', max_length=512)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'contact_way', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': "A 联系我 way made for one invitation (state = the invitation's reference)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InterviewInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reference', fields.CharField(unique=True, max_length=30)),
                ('interview', fields.ForeignKeyField('recruiting.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='candidate_invitations', on_delete=OnDelete.CASCADE)),
                ('candidate', fields.ForeignKeyField('recruiting.Candidate', source_field='candidate_id', db_constraint=True, to_field='id', related_name='interview_invitations', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=InvitationStatus.SENT, description='SENT: sent\nCONFIRMED: confirmed\nRESCHEDULE_OFFERED: reschedule_offered\nDECLINED: declined\nSUPERSEDED: superseded', enum_type=InvitationStatus, max_length=24)),
                ('hr_userid', fields.CharField(max_length=64)),
                ('task_id', fields.CharField(unique=True, max_length=128)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('offered', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('superseded_by', fields.IntField(null=True)),
                ('version', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'interview_invitation', 'app': 'recruiting', 'indexes': [Index(fields=['candidate_id', 'status'])], 'pk_attr': 'id', 'table_description': 'One invitation to one interview time (a reschedule makes a new one).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KfCursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('open_kfid', fields.CharField(unique=True, max_length=64)),
                ('cursor', fields.CharField(default='', max_length=128)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'kf_cursor', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'Where ``kf/sync_msg`` stopped, per 微信客服 account (so nothing is read twice).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='InterviewRound',
            name='preparation',
            field=fields.TextField(default='', unique=False),
        ),
    ]
