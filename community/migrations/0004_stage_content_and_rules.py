from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0003_starting_badges")]

    operations = []
