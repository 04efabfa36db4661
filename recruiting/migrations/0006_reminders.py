from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0005_candidate_invitations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReminderDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interview', fields.ForeignKeyField('recruiting.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('recipient', fields.CharField(max_length=128)),
                ('audience', fields.CharField(max_length=16)),
                ('offset_minutes', fields.IntField()),
                ('start_epoch', fields.BigIntField()),
                ('outbox_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reminder_delivery', 'app': 'recruiting', 'unique_together': (('interview', 'recipient', 'offset_minutes', 'start_epoch'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
