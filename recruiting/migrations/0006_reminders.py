from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [('recruiting', '0005_candidate_invitations')]

    initial = False

    operations: list[object] = []
