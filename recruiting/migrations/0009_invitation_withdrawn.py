from tortoise import migrations
from tortoise.migrations import operations as ops
from recruiting.models.invitations import InvitationStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('recruiting', '0008_surveys_summaries')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='InterviewInvitation',
            name='status',
            field=fields.CharEnumField(default=InvitationStatus.SENT, description='SENT: sent\nCONFIRMED: confirmed\nRESCHEDULE_OFFERED: reschedule_offered\nDECLINED: declined\nSUPERSEDED: superseded\nWITHDRAWN: withdrawn', enum_type=InvitationStatus, max_length=24),
        ),
    ]
