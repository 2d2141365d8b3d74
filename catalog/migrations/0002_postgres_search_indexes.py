"""PostgreSQL-only search structures: pg_trgm, the GIN index on the search vector, trigram indexes.

On SQLite (the embedded mode) this migration does nothing; the search there is a simpler LIKE search.
"""

from django.db import migrations

POSTGRES_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS searchentry_vector_gin ON catalog_searchentry USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS searchterm_word_trgm ON catalog_searchterm USING gin (word gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS project_name_trgm ON catalog_project USING gin (name gin_trgm_ops)",
]
POSTGRES_REVERSE_SQL = [
    "DROP INDEX IF EXISTS project_name_trgm",
    "DROP INDEX IF EXISTS searchterm_word_trgm",
    "DROP INDEX IF EXISTS searchentry_vector_gin",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_SQL:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_REVERSE_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
