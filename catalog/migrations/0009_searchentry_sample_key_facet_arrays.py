"""What broad searches need: a random sample key per index row, and (PostgreSQL) the entries' topics and
languages as arrays with GIN indexes; indexes for the static order and for exact name or slug matches.

Existing rows get random sample keys (AddField would give them all the same one) and, on PostgreSQL,
their arrays from the relations, as catalog.search_index writes them for new rows.
"""

import django.db.models.functions.text
from django.db import migrations, models

import catalog.models

POSTGRES_FILL = """
UPDATE catalog_searchentry e SET
  sample_key = floor(random() * 2147483647)::integer,
  topic_ids = ARRAY(SELECT x.topic_id FROM catalog_searchentry_topics x WHERE x.searchentry_id = e.id),
  language_ids = ARRAY(SELECT x.language_id FROM catalog_searchentry_languages x WHERE x.searchentry_id = e.id)
"""
SQLITE_FILL = "UPDATE catalog_searchentry SET sample_key = abs(random()) % 2147483647"
POSTGRES_INDEXES = [
    "CREATE INDEX IF NOT EXISTS searchentry_topic_ids_gin ON catalog_searchentry USING gin (topic_ids)",
    "CREATE INDEX IF NOT EXISTS searchentry_language_ids_gin ON catalog_searchentry USING gin (language_ids)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS searchentry_language_ids_gin",
    "DROP INDEX IF EXISTS searchentry_topic_ids_gin",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FILL)
        for statement in POSTGRES_INDEXES:
            schema_editor.execute(statement)
    else:
        schema_editor.execute(SQLITE_FILL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_encrypted_webhook_secret")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="language_ids",
            field=catalog.models.IdArrayField(base_field=models.BigIntegerField(), editable=False, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="sample_key",
            field=models.IntegerField(db_index=True, default=catalog.models.sample_key_new, editable=False),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="topic_ids",
            field=catalog.models.IdArrayField(base_field=models.BigIntegerField(), editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                fields=["-featured", "-activity_score", "name", "id"], name="searchentry_static_order"
            ),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(django.db.models.functions.text.Upper("name"), name="searchentry_upper_name"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["slug"], name="searchentry_slug"),
        ),
    ]
