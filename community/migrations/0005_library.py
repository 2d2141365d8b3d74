from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0004_stage_content_and_rules")]

    operations = []
