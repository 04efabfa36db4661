from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0010_offer_candidate_answer')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Staff',
            name='department_ids',
            field=fields.JSONField(default=list, db_default=[], encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
