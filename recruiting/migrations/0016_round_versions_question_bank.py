"""Round versions and the question bank.

Existing rows: every round that already has interviews gets version 1 made from its current
content (and its opening's competency model), and those interviews are pinned to it, so the
first edit made in the workbench cannot change how they were assessed. Rounds without
interviews get their first version when the first interview is created.
"""

import functools
import json
from datetime import datetime, timezone
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from recruiting.domain.round_version import content_from_fields


async def freeze_existing_rounds(apps: object, schema_editor: object) -> None:
    client = schema_editor.client  # type: ignore[attr-defined]
    postgres = client.capabilities.dialect == "postgres"
    marks = ("$1", "$2", "$3", "$4", "$5", "$6") if postgres else ("?",) * 6
    rows = await client.execute_query_dict(
        "SELECT r.*, j.competency_model AS job_model FROM interview_round r"
        " JOIN job_opening j ON j.id = r.job_id WHERE EXISTS (SELECT 1 FROM interview i"
        " WHERE i.round_id = r.id AND i.round_version_id IS NULL) ORDER BY r.id"
    )
    for row in rows:
        content = content_from_fields(dict(row), row["job_model"])
        await client.execute_query(
            "INSERT INTO interview_round_version (round_id, number, content, digest, created_by,"
            f" created_at) VALUES ({', '.join(marks)})",
            [row["id"], 1, json.dumps(content.to_json(), ensure_ascii=False), content.digest(),
             "migration", datetime.now(timezone.utc)],
        )
        found = await client.execute_query_dict(
            f"SELECT id FROM interview_round_version WHERE round_id = {marks[0]} AND number = 1",
            [row["id"]],
        )
        await client.execute_query(
            f"UPDATE interview SET round_version_id = {marks[0]}"
            f" WHERE round_id = {marks[1]} AND round_version_id IS NULL",
            [found[0]["id"], row["id"]],
        )


class Migration(migrations.Migration):
    dependencies = [('recruiting', '0019_screening_requirements')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BankQuestion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('text', fields.CharField(max_length=500)),
                ('competencies', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('prep_seconds', fields.SmallIntField(default=30)),
                ('answer_seconds', fields.SmallIntField(default=180)),
                ('retakes', fields.SmallIntField(default=1)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'bank_question', 'app': 'recruiting', 'pk_attr': 'id', 'table_description': 'A question of the bank, filed under the competencies it targets. Picked into recorded'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoundVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('recruiting.InterviewRound', source_field='round_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.RESTRICT)),
                ('number', fields.SmallIntField()),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('digest', fields.CharField(max_length=64)),
                ('created_by', fields.CharField(default='system', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'interview_round_version', 'app': 'recruiting', 'unique_together': (('round', 'number'),), 'pk_attr': 'id', 'table_description': 'An immutable snapshot of a round (``recruiting.domain.round_version.RoundContent``).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Interview',
            name='round_version',
            field=fields.ForeignKeyField('recruiting.RoundVersion', source_field='round_version_id', null=True, db_constraint=True, to_field='id', related_name='interviews', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='InterviewRound',
            name='closed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='InterviewRound',
            name='deadline_days',
            field=fields.SmallIntField(default=7, db_default=7),
        ),
        ops.AddField(
            model_name='InterviewRound',
            name='meeting_link',
            field=fields.CharField(default='', db_default='', max_length=512),
        ),
        ops.RunPython(freeze_existing_rounds),
    ]
