# The dashboards' snapshot model moves from the portal app to metrics (the dashboards live in metrics;
# apps never import the portal package). Its table stays portal_reportsnapshot: only Django's state
# changes, no row moves.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0006_forge_account_directory_unit"),
        ("portal", "0005_notification_moved_to_catalog"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReportSnapshot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "scope_key",
                            models.CharField(
                                help_text="program, unit:<id> or project:<id>, + hidden set", max_length=100
                            ),
                        ),
                        ("start", models.DateField()),
                        ("end", models.DateField(help_text="Exclusive")),
                        (
                            "params",
                            models.JSONField(
                                default=dict, help_text="What the task needs to recompute it: see ReportScope"
                            ),
                        ),
                        ("data", models.JSONField(blank=True, null=True)),
                        (
                            "computed_at",
                            models.DateTimeField(
                                blank=True, help_text="When the computation started", null=True
                            ),
                        ),
                        ("refreshing_since", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "portal_reportsnapshot",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scope_key", "start", "end"), name="report_snapshot_scope_period"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
