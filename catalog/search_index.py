"""Keeps the catalog's search index (SearchEntry, SearchTerm) in step with projects and assets."""

import re
from collections.abc import Iterable

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Count, OuterRef
from django.utils import timezone

from catalog.models import Adoption, Asset, EntryType, Language, Project, SearchEntry, SearchTerm, Topic
from catalog.signals import entries_rebuilt

WORD_RE = re.compile(r"[a-z0-9][a-z0-9+#.-]{1,58}[a-z0-9+#]|[a-z0-9]{2}")


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def words_of(*texts: str) -> set[str]:
    """The lower-cased words of some texts, as the vocabulary for suggestions stores them."""
    found: set[str] = set()
    for text in texts:
        found.update(WORD_RE.findall(text.lower()))
    return found


def _people_names(project: Project) -> list[str]:
    names = []
    for role in project.roles.all():
        user = role.user
        names.append(user.get_full_name() or user.username)
    return names


def _entry_create(
    *,
    project: Project,
    asset: Asset | None,
    topics: list[Topic],
    languages: list[Language],
    adoption_count: int,
    keywords: str,
    meaning: tuple,
) -> SearchEntry:
    """One index row: a project, or one of its assets (which shares the project's status and score)."""
    described = asset or project
    entry = SearchEntry.objects.create(
        entry_type=EntryType.ASSET if asset else EntryType.PROJECT,
        project=project,
        asset=asset,
        name=described.name,
        slug=described.slug,
        path=described.get_absolute_url(),
        summary=described.description,
        kind=asset.kind if asset else EntryType.PROJECT,
        business_unit_id=project.business_unit_id,
        lifecycle=project.lifecycle,
        wants_contributions=project.wants_contributions,
        restricted=project.is_restricted,
        featured=project.featured,
        verified=project.verified,
        activity_score=project.activity_score,
        adoption_count=adoption_count,
        keywords=keywords,
        created_at=described.created_at,
        # The vector of the entry this one replaces, checked against the new text by entries_embed.
        meaning_vector=meaning[0],
        meaning_hash=meaning[1],
        meaning_model=meaning[2],
        meaning_at=meaning[3],
    )
    entry.topics.set(topics)
    entry.languages.set(languages)
    return entry


@transaction.atomic
def entries_rebuild(*, project_ids: Iterable[int]) -> None:
    """Rebuild the search entries of these projects and of their assets.

    A project that is not listed (pending, rejected, merged) loses its entries.
    """
    project_ids = list(project_ids)
    # Meanings outlive the rows: an entry whose text did not change keeps its vector (see catalog.meaning).
    # Its time too: the vector index's key for the entry is stable (catalog.meaning_index), so a vector
    # carried over is in the snapshot it was in.
    meanings = {
        (project_id, asset_id): (vector, digest, model, at)
        for project_id, asset_id, vector, digest, model, at in SearchEntry.objects.filter(
            project_id__in=project_ids, meaning_vector__isnull=False
        ).values_list(
            "project_id", "asset_id", "meaning_vector", "meaning_hash", "meaning_model", "meaning_at"
        )
    }
    no_meaning = (None, "", "", None)
    SearchEntry.objects.filter(project_id__in=project_ids).delete()
    projects = (
        Project.objects.listed()
        .filter(pk__in=project_ids)
        .prefetch_related("topics", "languages", "assets__topics", "assets__languages", "roles__user")
    )
    today = timezone.now().date()
    vocabulary: set[str] = set()
    new_entry_ids: list[int] = []
    for project in projects:
        adoption_counts = dict(
            Adoption.objects.active(on=today)
            .filter(asset__project=project)
            .values_list("asset_id")
            .annotate(n=Count("id"))
        )
        project_topics = [topic.name for topic in project.topics.all()]
        project_languages = [language.name for language in project.languages.all()]
        people = _people_names(project)
        assets = list(project.assets.all())
        keywords = " ".join(
            project_topics
            + project_languages
            + list(project.skills_wanted)
            + people
            + [a.name for a in assets]
        )
        entry = _entry_create(
            project=project,
            asset=None,
            topics=list(project.topics.all()),
            languages=list(project.languages.all()),
            adoption_count=sum(adoption_counts.values()),
            keywords=keywords,
            meaning=meanings.get((project.pk, None), no_meaning),
        )
        new_entry_ids.append(entry.pk)
        # A restricted project's words stay out of the shared vocabulary: a typo correction or a
        # suggestion must not reveal it to people who do not see it.
        if not project.is_restricted:
            vocabulary |= words_of(project.name, project.description, keywords)
        for asset in assets:
            # An asset without its own topics or languages inherits its project's.
            asset_topics = list(asset.topics.all()) or list(project.topics.all())
            asset_languages = list(asset.languages.all()) or list(project.languages.all())
            asset_keywords = " ".join(
                [t.name for t in asset_topics]
                + [lang.name for lang in asset_languages]
                + [project.name]
                + people
            )
            asset_entry = _entry_create(
                project=project,
                asset=asset,
                topics=asset_topics,
                languages=asset_languages,
                adoption_count=adoption_counts.get(asset.pk, 0),
                keywords=asset_keywords,
                meaning=meanings.get((project.pk, asset.pk), no_meaning),
            )
            new_entry_ids.append(asset_entry.pk)
            if not project.is_restricted:
                vocabulary |= words_of(asset.name, asset.description)
    if uses_postgres() and new_entry_ids:
        # The facet arrays copy the relations just written (see SearchEntry.topic_ids).
        topics = SearchEntry.topics.through.objects.filter(searchentry_id=OuterRef("pk"))
        languages = SearchEntry.languages.through.objects.filter(searchentry_id=OuterRef("pk"))
        SearchEntry.objects.filter(pk__in=new_entry_ids).update(
            search_vector=SearchVector("name", weight="A", config="english")
            + SearchVector("keywords", weight="B", config="english")
            + SearchVector("summary", weight="C", config="english"),
            topic_ids=ArraySubquery(topics.values("topic_id")),
            language_ids=ArraySubquery(languages.values("language_id")),
        )
    if vocabulary:
        SearchTerm.objects.bulk_create(
            [SearchTerm(word=w) for w in sorted(vocabulary)], ignore_conflicts=True
        )
    if new_entry_ids:
        entries_rebuilt.send(sender=SearchEntry, project_ids=list(project_ids))


def entries_rebuild_all() -> None:
    ids = list(Project.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), 200):
        entries_rebuild(project_ids=ids[start : start + 200])
