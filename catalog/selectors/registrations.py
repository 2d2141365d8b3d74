"""What counts as a duplicate registration, the one rule for the registration form, the edit page, the
API and the review queue: the same repository (blocking), a very similar name, or the same job in other
words (by meaning)."""

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q
from django.utils.text import slugify

from catalog.meaning import embedder, project_meaning_text, similarity_words
from catalog.models import Project, Repository, ReviewStatus, SearchEntry
from catalog.repositories import normalise_repository_url, repositories_by_url
from catalog.search_index import uses_postgres
from catalog.selectors.query import SEARCH_ONLY_FIELDS
from catalog.selectors.similar import nearest, with_vectors
from catalog.selectors.words import STOP_WORDS

# How a project the person may not see (restricted to other units, or another's pending registration)
# is named where it must be mentioned: its repository cannot be registered twice.
HIDDEN_PROJECT = "a project you cannot see (ask the program office)"


@dataclass(frozen=True, kw_only=True)
class Registration:
    """What is being registered (or edited), as the registration form, the edit page and the API read it:
    its name and repositories, and what says its job (description, motivation, topics, skills)."""

    name: str
    repository_urls: Sequence[str] = ()
    description: str = ""
    motivation: str = ""
    topic_names: Sequence[str] = ()
    skills: Sequence[str] = ()


def project_duplicates(*, registration: Registration, viewer, exclude_pk: int | None = None) -> list[dict]:
    """Projects that look like the one being registered: the same repository, a very similar name, or
    (given its description or motivation) the same job in other words (meaning_look_alikes).

    A restricted project the person does not see still blocks its repository, without being named;
    it is never offered as a similar name or job."""
    wanted = (exclude_pk, registration.name, list(registration.repository_urls))
    duplicates = _look_alikes(wanted=[wanted], viewer=viewer)[0]
    named = {d["project"].pk: d for d in duplicates if d["project"] is not None}
    for alike in meaning_look_alikes(registration=registration, viewer=viewer, exclude_pk=exclude_pk):
        known = named.get(alike["project"].pk)
        if known is None:
            duplicates.append(alike)
        else:  # one line per project, saying every reason it looks alike
            known["reason"] = f"{known['reason']}, and {alike['reason']}"
            known["similarity"] = alike["similarity"]
            known["asks_confirmation"] = known.get("asks_confirmation", True) or alike["asks_confirmation"]
    return duplicates


# From this cosine (on WordLlama's scale, catalog.meaning) a listed entry is said to maybe do the same job as
# a registration. Measured with the real model on the relevance set (tests/fixtures/search_eval/relevance.json:
# 294 one-line entries, jobs built 2 to 4 times in other words), each entry's name, description and
# topics taken as a registration against the 293 others; "same job" = two entries answering one narrow need
# (at most 5 relevant entries), 95 entries have such a twin; "different job" = never answering a need
# together (42,986 pairs, whose median cosine is 0.09 and 99th percentile 0.33):
#   cosine  twin found  registrations warned of a different job  different-job entries per registration
#   0.35    69 %        78 %                                     2.00
#   0.40    56 %        56 %                                     1.05
#   0.45    37 %        32 %                                     0.45
#   0.50    22 %        15 %                                     0.22
# 0.4 is where a twin is found as often as a registration is warned of another job: a miss costs a
# project built twice, a false warning a look and a tick (and the labels are rough: several "different"
# pairs above 0.6 are near jobs, "Random IDs" and "UUID tools" among them). A relative rule (so much above
# the registration's 10th or 20th nearest) did no better on this set. Paraphrases sharing no word at all
# score 0.2 to 0.35, as low as some unrelated pairs: those no threshold finds without noise.
SAME_JOB_SIMILARITY = 0.4
# Listed from SAME_JOB_SIMILARITY, a look-alike by meaning asks a new registration to confirm that it is
# different only from this cosine up: at 0.4 more than half the registrations would be stopped for another
# job (the table above), and a tick asked that often is given without reading. Between the two it is shown,
# with why, and does not stop the registration.
CONFIRM_SIMILARITY = 0.45
MEANING_LOOK_ALIKES = 5
# A name alone (as the starter begins typing) says too little of a job: the similar-name rule covers it.
MEANING_MIN_WORDS = 3
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _words(text: str) -> list[str]:
    """The words of a text that may say what it is about: 4 letters or more, no stop word, no number."""
    found = (w.lower() for w in _WORD.findall(text))
    return list(dict.fromkeys(w for w in found if len(w) >= 4 and not w.isdigit() and w not in STOP_WORDS))


def meaning_look_alikes(
    *,
    registration: Registration,
    viewer,
    exclude_pk: int | None = None,
    limit: int = MEANING_LOOK_ALIKES,
) -> list[dict]:
    """The listed projects the viewer may see (ProjectQuerySet.visible_to) that do the job of this
    registration, by meaning: its text as a project's (catalog.meaning.project_meaning_text) embedded and
    compared with the index's projects and assets (similar.nearest), at least SAME_JOB_SIMILARITY alike,
    most similar first, at most `limit` projects. An asset doing the job names its project. Never the
    project `exclude_pk` (the one being edited). Each says why: how close, the topics and words shared."""
    name, description, motivation = registration.name, registration.description, registration.motivation
    if len(_WORD.findall(f"{description} {motivation}")) < MEANING_MIN_WORDS:
        return []
    text = project_meaning_text(
        name=name,
        description=description,
        motivation=motivation,
        topic_names=list(registration.topic_names),
        skills=list(registration.skills),
    )
    visible = Project.objects.listed().visible_to(viewer)
    if exclude_pk is not None:
        visible = visible.exclude(pk=exclude_pk)
    candidates = with_vectors(SearchEntry.objects.filter(project_id__in=visible.values("pk")))
    # Several entries may be one project's (the project and its assets): enough of them for `limit` projects.
    best = nearest(embedder().embed([text])[0], candidates, limit=limit * 4, floor=SAME_JOB_SIMILARITY)
    entries = (
        SearchEntry.objects.select_related("project", "asset")
        .defer(*SEARCH_ONLY_FIELDS)
        .prefetch_related("topics")
        .in_bulk([pk for pk, _ in best])
    )
    topics = {topic.strip().lower() for topic in registration.topic_names if topic.strip()}
    words = _words(f"{name} {description} {motivation}")
    found: dict[int, dict] = {}
    for pk, similarity in best:
        entry = entries.get(pk)
        if entry is None or entry.project_id in found:
            continue
        shared_topics = sorted(t.name for t in entry.topics.all() if t.name.lower() in topics)
        theirs = set(_words(f"{entry.name} {entry.summary}")) - {t.lower() for t in shared_topics}
        shared_words = [w for w in words if w in theirs][:5]
        why = [f"{similarity_words(similarity)} in meaning"]
        if shared_topics:
            why.append("shared topics: " + ", ".join(shared_topics))
        if shared_words:
            why.append("shared words: " + ", ".join(shared_words))
        job = f"may do the same job ({'; '.join(why)})"
        asset = entry.asset if entry.asset_id is not None else None
        found[entry.project_id] = {
            "project": entry.project,
            "name": entry.project.name,
            "reason": job if asset is None else f"offers “{asset.name}”, which {job}",
            "blocking": False,
            "asks_confirmation": similarity >= CONFIRM_SIMILARITY,
            "asset": asset,
            "similarity": similarity,
        }
        if len(found) == limit:
            break
    return list(found.values())


@dataclass(frozen=True)
class RegistrationCheck:
    """What the look-alikes of a registration (or an edit) mean for it: `errors` by field, empty when it
    may go ahead."""

    duplicates: list[dict]
    errors: dict[str, str]


def registration_check(
    *,
    registration: Registration,
    viewer,
    exclude_pk: int | None = None,
    confirmed_different: bool | None = None,
) -> RegistrationCheck:
    """The one rule for duplicate registrations, for the form, the edit page and the API alike: a
    repository another project holds blocks it (join that community, or ask for a merge); a similar
    name, or a project doing the same job (given the description or motivation: meaning_look_alikes),
    asks a new registration to confirm that it is a different project (`confirmed_different` False);
    an edit (`confirmed_different` None) is never held up by either, and is looked at by its
    repositories and name only."""
    if confirmed_different is None:
        registration = Registration(name=registration.name, repository_urls=registration.repository_urls)
    duplicates = project_duplicates(registration=registration, viewer=viewer, exclude_pk=exclude_pk)
    errors = {}
    blocking = [d for d in duplicates if d["blocking"]]
    if blocking:
        errors["repository_urls"] = (
            f"This repository is already registered by “{blocking[0]['name']}”. "
            "Join that community instead, or ask the program office to merge."
        )
    elif (confirming := [d for d in duplicates if d.get("asks_confirmation", True)]) and (
        confirmed_different is False
    ):
        names = ", ".join(d["project"].name for d in confirming[:5])
        errors["not_a_duplicate"] = (
            f"Similar projects exist ({names}): confirm that yours is a different one."
        )
    return RegistrationCheck(duplicates=duplicates, errors=errors)


def registrations_duplicates(*, projects: list[Project], viewer) -> dict[int, list[dict]]:
    """project_duplicates of each of these projects (their repositories prefetched), by project id, in
    a fixed number of queries however many there are: the review queue lists up to a hundred."""
    found = _look_alikes(
        wanted=[(p.pk, p.name, [r.url for r in p.repositories.all()]) for p in projects], viewer=viewer
    )
    return {project.pk: duplicates for project, duplicates in zip(projects, found, strict=True)}


def _similar_names(name: str) -> Callable[[str], bool]:
    """Whether a name is very similar to `name` (difflib ratio 0.75 or more, case aside). The quick
    ratios are upper bounds of the ratio: they skip most names cheaply and never change the answer."""
    matcher = difflib.SequenceMatcher(None, "", name.lower())

    def similar(other: str) -> bool:
        matcher.set_seq1(other.lower())
        return (
            matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75 and matcher.ratio() >= 0.75
        )

    return similar


def _look_alikes(*, wanted: list[tuple[int | None, str, list[str]]], viewer) -> list[list[dict]]:
    """The rule of project_duplicates for several (exclude_pk, name, repository_urls) at once."""
    found: list[dict[int, dict]] = [{} for _ in wanted]
    live = Project.objects.exclude(review_status=ReviewStatus.REJECTED).filter(merged_into__isnull=True)
    url_lists = [[normalise_repository_url(u) for u in urls if u.strip()] for _, _, urls in wanted]
    all_urls = sorted({url for urls in url_lists for url in urls})
    if all_urls:
        # The same repository however it is written (in any case on GitHub and GitLab).
        by_url: dict[str, list[Project]] = {
            url: [repository.project for repository in repositories]
            for url, repositories in repositories_by_url(
                urls=all_urls, queryset=Repository.objects.filter(project__in=live).select_related("project")
            ).items()
        }
        holders = {project.pk for projects in by_url.values() for project in projects}
        seen = (
            set(live.visible_to(viewer).filter(pk__in=holders).values_list("pk", flat=True))
            if holders
            else set()
        )
        for (exclude_pk, _, _), urls, duplicates in zip(wanted, url_lists, found, strict=True):
            same_repository: dict[int, Project] = {}
            for url in urls:
                for project in by_url.get(url, []):
                    if project.pk != exclude_pk:
                        same_repository.setdefault(project.pk, project)
            for project in sorted(same_repository.values(), key=lambda p: (p.name, p.pk))[:10]:
                shown = project.pk in seen
                duplicates[project.pk] = {
                    "project": project if shown else None,
                    "name": project.name if shown else HIDDEN_PROJECT,
                    "reason": "registers the same repository",
                    "blocking": True,
                }
    live = live.visible_to(viewer)
    names = {i: name.strip() for i, (_, name, _) in enumerate(wanted) if len(name.strip()) >= 3}
    if not names:
        return [list(duplicates.values()) for duplicates in found]
    slugs = {i: slugify(name) for i, name in names.items()}
    similar_of: dict[int, list[Project]] = {}
    if uses_postgres():
        # One query for every name: the candidates close to any of them, with their similarity to each.
        close = Q()
        for i, name in names.items():
            close |= Q(name__trigram_similar=name) | Q(slug=slugs[i])
        candidates = list(
            live.filter(close).annotate(
                **{f"similarity_{i}": TrigramSimilarity("name", name) for i, name in names.items()}
            )
        )
        for i in names:
            exclude_pk, similarity = wanted[i][0], f"similarity_{i}"
            similar_of[i] = sorted(
                (
                    p
                    for p in candidates
                    if p.pk != exclude_pk and (getattr(p, similarity) >= 0.5 or p.slug == slugs[i])
                ),
                key=attrgetter(similarity),
                reverse=True,
            )[:5]
    else:
        # Each name is compared with the first 5000 other projects; one more row per name makes up for
        # the project itself, which is left out of its own candidates.
        pool = list(live.only("pk", "name", "slug", "description", "review_status")[: 5000 + len(wanted)])
        for i, name in names.items():
            exclude_pk, similar = wanted[i][0], _similar_names(name)
            candidates = [p for p in pool if p.pk != exclude_pk][:5000]
            similar_of[i] = [p for p in candidates if p.slug == slugs[i] or similar(p.name)][:5]
    for i, similar_projects in similar_of.items():
        for project in similar_projects:
            found[i].setdefault(
                project.pk,
                {
                    "project": project,
                    "name": project.name,
                    "reason": "has a very similar name",
                    "blocking": False,
                    "asks_confirmation": True,
                },
            )
    return [list(duplicates.values()) for duplicates in found]
