from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0013_sealed_personal_data')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SendAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('marker', fields.CharField(max_length=64)),
                ('outcome', fields.CharField(default='', max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'send_attempt', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'A send to an outside system that has no idempotency key, recorded (and committed)'},
            bases=['Model'],
        ),
    ]
