from tortoise import migrations
from tortoise.migrations import operations as ops
from recruiting.infra.sealed_fields import SealedTextField
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0016_round_versions_question_bank')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Answer',
            name='flag_count',
            field=fields.SmallIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Application',
            name='rejected_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Application',
            name='rejected_by',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Application',
            name='rejection_note',
            field=SealedTextField(null=True, generated=False, unique=False),
        ),
        ops.AddIndex(
            model_name='Application',
            index=Index(fields=['job_id', 'status']),
        ),
        ops.AddIndex(
            model_name='AuditLog',
            index=Index(fields=['subject_type', 'subject_id']),
        ),
        ops.AddIndex(
            model_name='IntegrityEvent',
            index=Index(fields=['interview_id']),
        ),
        ops.AddIndex(
            model_name='Interview',
            index=Index(fields=['application_id', 'mode', 'status', 'round_id']),
        ),
        ops.AddIndex(
            model_name='Interview',
            index=Index(fields=['mode', 'status', 'completed_at']),
        ),
        ops.AddIndex(
            model_name='InterviewInvitation',
            index=Index(fields=['interview_id', 'status']),
        ),
        ops.AddIndex(
            model_name='InterviewNote',
            index=Index(fields=['interview_id', 'taken_at']),
        ),
        ops.AddIndex(
            model_name='Invitation',
            index=Index(fields=['interview_id']),
        ),
        ops.AddIndex(
            model_name='OfferEvent',
            index=Index(fields=['offer_id', 'at']),
        ),
    ]
