from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [('recruiting', '0004_interview_costs')]

    initial = False

    operations: list[object] = []
