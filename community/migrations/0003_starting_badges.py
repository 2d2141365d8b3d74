from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0002_journey_badges_rules_guides")]

    operations = []
