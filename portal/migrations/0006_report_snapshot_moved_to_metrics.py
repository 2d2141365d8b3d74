# The dashboards' snapshot model now belongs to metrics (metrics 0007), on the same table: the portal app
# lets go of it in Django's state only, so the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_notification_moved_to_catalog"),
        ("metrics", "0007_report_snapshot_moved_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReportSnapshot")],
            database_operations=[],
        ),
    ]
