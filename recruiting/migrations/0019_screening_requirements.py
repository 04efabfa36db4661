from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0017_intake')]

    initial = False

    operations = [
        ops.AddField(
            model_name='JobOpening',
            name='requirements',
            field=fields.JSONField(default=dict, db_default={}, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
