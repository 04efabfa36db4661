from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [('recruiting', '0006_reminders')]

    initial = False

    operations: list[object] = []
