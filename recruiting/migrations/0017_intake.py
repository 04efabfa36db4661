"""Candidates in (issue 15 item 3): keyed phone/e-mail hashes that recognise duplicates, the
fields recruiting sites export (education, years, source), merging, the reason of a
rejection, and résumé files.

Existing candidates get their hashes here (``fill_contact_hashes``: their sealed phone and
e-mail are decrypted with the process's cipher, normalised and hashed), so a duplicate of a
candidate created before this migration is recognised too.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from recruiting.infra.sealed_fields import SealedJSONField, SealedTextField
from recruiting.models.resumes import ResumeParse
from tortoise.fields.base import OnDelete
from tortoise import fields

from recruiting.infra.contact_hashes import fill_contact_hashes
from recruiting.infra.sealed_fields import installed_cipher


async def hash_existing_contacts(apps: object, schema_editor: object) -> None:
    client = schema_editor.client  # type: ignore[attr-defined]
    rows = await client.execute_query_dict('SELECT COUNT(*) AS n FROM "candidate"')
    if rows and int(rows[0]["n"]):
        await fill_contact_hashes(client, installed_cipher())

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0015_workbench_sessions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ResumeFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('candidate', fields.ForeignKeyField('recruiting.Candidate', source_field='candidate_id', db_constraint=True, to_field='id', related_name='resume_files', on_delete=OnDelete.CASCADE)),
                ('application', fields.ForeignKeyField('recruiting.Application', source_field='application_id', null=True, db_constraint=True, to_field='id', related_name='resume_files', on_delete=OnDelete.SET_NULL)),
                ('object_key', fields.CharField(unique=True, max_length=128)),
                ('filename', SealedTextField(default='', generated=False, null=False, unique=False)),
                ('content_type', fields.CharField(default='', max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('parse_status', fields.CharEnumField(default=ResumeParse.UNPARSED, description='UNPARSED: unparsed\nPARSED: parsed\nNEEDS_OCR: needs_ocr\nREFUSED: refused', enum_type=ResumeParse, max_length=16)),
                ('parse_reason', fields.CharField(default='', max_length=200)),
                ('parsed', SealedJSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('uploaded_by', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'resume_file', 'app': 'recruiting', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Application',
            name='rejection_reason',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Candidate',
            name='education',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Candidate',
            name='email_hash',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Candidate',
            name='merged_into',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Candidate',
            name='phone_hash',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Candidate',
            name='source',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Candidate',
            name='years_experience',
            field=fields.SmallIntField(null=True),
        ),
        ops.RunPython(hash_existing_contacts),
    ]
