# The workbench's web sessions: AppSession.kind gains "workbench" (a description change only;
# the column is already varchar(16)).
from tortoise import migrations
from tortoise.migrations import operations as ops
from recruiting.models.recorded import SubjectKind
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("recruiting", "0014_send_attempts")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="AppSession",
            name="kind",
            field=fields.CharEnumField(
                description="CANDIDATE: candidate\nSTAFF: staff\nVISITOR: visitor\nWORKBENCH: workbench",
                enum_type=SubjectKind,
                max_length=16,
            ),
        ),
    ]
