"""The catalog's search index (one row per listed project and asset) and its vocabulary."""

import random

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Upper

from catalog.models.assets import Asset
from catalog.models.projects import BusinessUnit, Language, Lifecycle, Project, Topic


class EntryType(models.TextChoices):
    PROJECT = "project", "Project"
    ASSET = "asset", "Asset"


# Sample keys are drawn uniformly from [0, SAMPLE_KEY_RANGE).
SAMPLE_KEY_RANGE = 2**31 - 1


def sample_key_new() -> int:
    return random.randrange(SAMPLE_KEY_RANGE)


class IdArrayField(ArrayField):
    """PostgreSQL's bigint[]. On SQLite the column exists but stays null: inserting null needs no cast
    (ArrayField's `%s::bigint[]` placeholder is PostgreSQL syntax)."""

    def get_placeholder_sql(self, value, compiler, connection) -> tuple[str, list]:
        if connection.vendor == "postgresql":
            return super().get_placeholder_sql(value, compiler, connection)
        return "%s", [value]


class SearchEntry(models.Model):
    """The catalog's search index: one row per listed project and per asset of a listed project.

    Rebuilt by catalog.search_index.entries_rebuild whenever a project, its assets, roles or adoptions
    change, so that search and facets read one indexed table.
    """

    entry_type = models.CharField(max_length=10, choices=EntryType.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="search_entries")
    asset = models.OneToOneField(Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.CharField(max_length=120)
    path = models.CharField(max_length=300, help_text="where the entry's page is")
    summary = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, db_index=True)
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.CASCADE, related_name="+")
    lifecycle = models.CharField(max_length=20, choices=Lifecycle.choices, db_index=True)
    wants_contributions = models.BooleanField(default=False, db_index=True)
    # A project restricted to named business units: its entries are searched only by people who see it.
    restricted = models.BooleanField(default=False, db_index=True)
    featured = models.BooleanField(default=False)
    verified = models.BooleanField(default=False)
    activity_score = models.IntegerField(default=0, db_index=True)
    adoption_count = models.IntegerField(default=0, db_index=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    languages = models.ManyToManyField(Language, blank=True, related_name="+")
    keywords = models.TextField(blank=True, help_text="topics, languages, skills, maintainers, assets")
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(db_index=True)
    # A random number per row: the matches with the smallest keys are a uniform random sample of all the
    # matches, from which a broad search (PostgreSQL) estimates its counts (catalog.selectors).
    sample_key = models.IntegerField(default=sample_key_new, db_index=True, editable=False)
    # PostgreSQL only, like search_vector: copies of the topics and languages relations (filled where the
    # search vector is), so that one pass over the index rows counts every facet, and a language or topic
    # filter can use a GIN index (created by migration 0009). Null on SQLite, which reads the relations.
    topic_ids = IdArrayField(models.BigIntegerField(), null=True, editable=False)
    language_ids = IdArrayField(models.BigIntegerField(), null=True, editable=False)
    # The entry's meaning (catalog.meaning): its text's vector as float16 bytes (null until embedded), the
    # hash of the text it was computed from and the model that computed it, so that unchanged text is not
    # embedded again and vectors of different models are never compared.
    meaning_vector = models.BinaryField(null=True, editable=False)
    meaning_hash = models.CharField(max_length=64, default="", blank=True, editable=False)
    meaning_model = models.CharField(max_length=100, default="", blank=True, editable=False)
    # When the vector was computed (null: before this was recorded, which is before any index snapshot):
    # the vectors computed after the loaded snapshot was built are scanned exactly (catalog.meaning_index).
    meaning_at = models.DateTimeField(null=True, editable=False, db_index=True)

    # Not stored: set by the catalog search on an entry it found by meaning alone (catalog.selectors.fused).
    matched_by_meaning: bool = False

    class Meta:
        indexes = [
            models.Index(fields=["name"], name="searchentry_name"),
            # The order of a broad search and of the plain catalog, walked by PostgreSQL a page at a time.
            models.Index(
                fields=["-featured", "-activity_score", "name", "id"], name="searchentry_static_order"
            ),
            # Exact name or slug matches, looked up first by a broad search.
            models.Index(Upper("name"), name="searchentry_upper_name"),
            models.Index(fields=["slug"], name="searchentry_slug"),
            # The entries with a vector of a model: the exact scan of similar entries and of the search's
            # meaning (below CATALOG_MEANING_INDEX_MIN, or before the first vector index) reads only them,
            # instead of every entry of a catalog still being embedded.
            models.Index(
                fields=["meaning_model"],
                condition=models.Q(meaning_vector__isnull=False),
                name="searchentry_with_vector",
            ),
        ]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return self.name


class SearchTerm(models.Model):
    """The catalog's vocabulary, used to suggest close matches for typos and empty searches."""

    word = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.word


class MeaningIndex(models.Model):
    """A snapshot of the vector index of the entries' meanings (catalog.meaning_index): a usearch HNSW
    index of every vector of one model computed before `built_at`, serialised and stored in parts
    (MeaningIndexPart) so that every web process, wherever it runs, can copy it to its disk a part at a
    time and map it into memory. Only the newest snapshot is kept."""

    model = models.CharField(max_length=100)
    dimensions = models.PositiveIntegerField()
    # Every vector computed before this moment is in the index; the ones computed since are the delta.
    built_at = models.DateTimeField()
    entries = models.PositiveIntegerField()
    size = models.BigIntegerField(help_text="bytes of the serialised index")
    build_seconds = models.FloatField(default=0)

    class Meta:
        verbose_name_plural = "meaning indexes"

    def __str__(self) -> str:
        return f"{self.model}: {self.entries} entries, built {self.built_at:%Y-%m-%d %H:%M}"


class MeaningIndexPart(models.Model):
    """One part of a serialised MeaningIndex, in order: a few megabytes, so that neither the worker
    writing it nor a web process reading it ever holds the whole index in a bytes object."""

    snapshot = models.ForeignKey(MeaningIndex, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "number"], name="meaningindexpart_unique_number")
        ]

    def __str__(self) -> str:
        return f"part {self.number} of meaning index {self.snapshot_id}"
