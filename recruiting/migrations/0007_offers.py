from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from recruiting.domain.offer_state import OfferStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0006_reminders')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Offer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('recruiting.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE)),
                ('created_by', fields.CharField(max_length=64)),
                ('status', fields.CharEnumField(default=OfferStatus.DRAFT, description='DRAFT: draft\nCANCELLED: cancelled\nSUBMITTING: submitting\nPENDING_APPROVAL: pending_approval\nAPPROVED: approved\nREJECTED: rejected\nWITHDRAWN: withdrawn\nWITHDRAWN_AFTER_APPROVAL: withdrawn_after_approval\nDELETED: deleted', enum_type=OfferStatus, max_length=32)),
                ('city', fields.CharField(max_length=32)),
                ('base_salary', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('bonus_months', fields.DecimalField(default=0, max_digits=5, decimal_places=2)),
                ('allowances', fields.DecimalField(default=0, max_digits=12, decimal_places=2)),
                ('start_date', fields.DateField()),
                ('estimate', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('version', fields.IntField(default=1)),
                ('sp_no', fields.CharField(null=True, unique=True, max_length=64)),
                ('error', fields.CharField(default='', max_length=512)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'offer', 'app': 'recruiting', 'indexes': [Index(fields=['application_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OfferEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('offer', fields.ForeignKeyField('recruiting.Offer', source_field='offer_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('sp_no', fields.CharField(default='', db_index=True, max_length=64)),
                ('dedup_key', fields.CharField(null=True, unique=True, max_length=160)),
                ('source', fields.CharField(max_length=16)),
                ('actor', fields.CharField(default='', max_length=64)),
                ('action', fields.CharField(max_length=32)),
                ('from_status', fields.CharField(default='', max_length=32)),
                ('to_status', fields.CharField(default='', max_length=32)),
                ('sp_status', fields.SmallIntField(null=True)),
                ('change_event', fields.SmallIntField(null=True)),
                ('speech', fields.CharField(default='', max_length=512)),
                ('detail', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('applied', fields.BooleanField(default=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'offer_event', 'app': 'recruiting', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
