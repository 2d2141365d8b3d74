# The notification model now belongs to catalog (catalog 0015), on the same table: the portal app lets
# go of it in Django's state only, so the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_report_snapshot"),
        ("catalog", "0015_notification_moved_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="notification", name="notification_user_read"),
                migrations.DeleteModel(name="Notification"),
            ],
            database_operations=[],
        ),
    ]
