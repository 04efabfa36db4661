from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from recruiting.infra.sealed_fields import SealedTextField
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0018_pipeline_review')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ErasureRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('candidate_id', fields.IntField(db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('trigger', fields.CharField(max_length=16)),
                ('classes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('counts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('actor', fields.CharField(max_length=64)),
            ],
            options={'table': 'erasure_record', 'app': 'recruiting', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LegalHold',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('candidate_id', fields.IntField(null=True, db_index=True)),
                ('job_id', fields.IntField(null=True, db_index=True)),
                ('reason', SealedTextField(default='', generated=False, null=False, unique=False)),
                ('placed_by', fields.CharField(max_length=64)),
                ('placed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('lifted_by', fields.CharField(default='', max_length=64)),
                ('lifted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lift_reason', SealedTextField(default='', generated=False, null=False, unique=False)),
            ],
            options={'table': 'legal_hold', 'app': 'recruiting', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PendingObjectDeletion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('store', fields.CharField(default='media', max_length=16)),
                ('key', fields.CharField(max_length=512)),
                ('candidate_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('attempts', fields.SmallIntField(default=0)),
            ],
            options={'table': 'pending_object_deletion', 'app': 'recruiting', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Application',
            name='decided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
