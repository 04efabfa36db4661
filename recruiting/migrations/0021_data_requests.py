from tortoise import migrations
from tortoise.migrations import operations as ops
from recruiting.infra.sealed_fields import SealedTextField
from recruiting.models.candidates import ConsentPurpose
from recruiting.models.data_requests import DataRequestKind, DataRequestStatus
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0020_legal_holds')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DataRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('candidate_id', fields.IntField(db_index=True)),
                ('kind', fields.CharEnumField(description='ACCESS: access\nCORRECTION: correction\nDELETION: deletion', enum_type=DataRequestKind, max_length=16)),
                ('status', fields.CharEnumField(default=DataRequestStatus.RECEIVED, description='RECEIVED: received\nON_HOLD: on_hold\nFINISHING: finishing\nCOMPLETED: completed\nREFUSED: refused', enum_type=DataRequestStatus, max_length=16)),
                ('via', fields.CharField(default='miniapp', max_length=32)),
                ('recorded_by', fields.CharField(default='', max_length=64)),
                ('field', fields.CharField(default='', max_length=16)),
                ('new_value', SealedTextField(default='', generated=False, null=False, unique=False)),
                ('note', SealedTextField(default='', generated=False, null=False, unique=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('handled_by', fields.CharField(default='', max_length=64)),
                ('outcome', fields.CharField(default='', max_length=256)),
                ('hold_told_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'data_request', 'app': 'recruiting', 'indexes': [Index(fields=['status', 'kind', 'due_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Consent',
            name='purpose',
            field=fields.CharEnumField(description='DATA_PROCESSING: data_processing\nRECORDING: recording\nAUTOMATED_ASSESSMENT: automated_assessment\nFACE_ANALYSIS: face_analysis\nTALENT_POOL: talent_pool', enum_type=ConsentPurpose, max_length=32),
        ),
    ]
