from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [('recruiting', '0007_offers')]

    initial = False

    operations: list[object] = []
