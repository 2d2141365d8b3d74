"""First projects for an explorer: listed projects that want help, ranked for this person.

A suggestion's score adds up four things, each explained to the person as a reason:

- fit: the person's skills and interests found among the project's wanted skills, topics and languages
  (case-insensitive, whole terms). It weighs most: a match is worth more than any difference in
  activity or responsiveness, because a first contribution in a familiar stack is the likeliest to land.
- activity: the project's repository activity score and its pull requests of the last 90 days, each on
  a log scale relative to the busiest candidate, so one very large project does not flatten the rest.
- responsiveness: the median hours to a first answer from someone other than the author, on pull
  requests and issues opened in the last 180 days by people outside the project's team (owners,
  maintainers and trusted committers opening their own items are not newcomers waiting). An item
  nobody has answered counts with the time it has waited so far, so ignoring people never looks fast.
  No data counts as about three days.
- open "good first issue" / "help wanted" issues, a few of which are shown.

The whole list costs a fixed number of queries whatever the catalog's size: candidates are capped (the
200 most active listed projects that want contributions and that the person is not part of), and
every per-project figure is computed over all candidates at once.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from catalog.models import Project, ProjectRole
from catalog.repositories import forge_item_url
from community.models import Membership, Practitioner, Skill, Stage
from metrics.models import Comment, Issue, PullRequest, Review, State
from metrics.selectors import newcomer_labelled

__all__ = ["Suggestion", "first_projects_for", "home_suggestions"]

MAX_CANDIDATES = 200
ACTIVITY_DAYS = 90
RESPONSE_DAYS = 180
ISSUES_PER_PROJECT = 3
# Hours assumed when a project has no items to judge it by: neither rewarded nor written off.
UNKNOWN_RESPONSE_HOURS = 72.0
# A reason is only given for answers that are actually quick.
QUICK_RESPONSE_HOURS = 48.0
RESPONSE_CACHE_SECONDS = 600


@dataclass
class Suggestion:
    project: Project
    score: float
    reasons: list[str] = field(default_factory=list)
    good_first_issues: list[Issue] = field(default_factory=list)
    fits: bool = False  # matches the person's skills or interests


@dataclass(frozen=True, kw_only=True)
class FirstProjects:
    """The home page's suggestions, and whether the person said what they know (skills or interests):
    only then can the page say the suggestions fit them."""

    suggestions: list[Suggestion]
    profiled: bool

    @property
    def any_fits(self) -> bool:
        return any(suggestion.fits for suggestion in self.suggestions)


def _norm(term) -> str:
    return " ".join(str(term).split()).casefold()


def _person_terms(user) -> tuple[dict[str, str], dict[str, str]]:
    """({normalised: spelling} of the person's skills, the same for their interests)."""
    skills = {
        _norm(n): n for n in Skill.objects.filter(practitioners__user=user).values_list("name", flat=True)
    }
    interests_raw = Practitioner.objects.filter(user=user).values_list("interests", flat=True).first()
    interests = {}
    if isinstance(interests_raw, list):
        interests = {_norm(t): str(t).strip() for t in interests_raw if isinstance(t, str | int) and _norm(t)}
    skills.pop("", None)
    return skills, interests


def _candidates(user, *, since: datetime) -> list[Project]:
    recent = (
        PullRequest.objects.filter(repository__project=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values("repository__project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    member_of = Membership.objects.filter(user=user, left_at__isnull=True).values("project_id")
    roles = ProjectRole.objects.filter(user=user).values("project_id")
    projects = (
        Project.objects.listed()
        .visible_to(user)
        .exclude(contributions_wanted="")
        .exclude(pk__in=member_of)
        .exclude(pk__in=roles)
        .annotate(recent_prs=Coalesce(Subquery(recent, output_field=IntegerField()), Value(0)))
        .select_related("business_unit")
        .prefetch_related("topics", "languages")
        .order_by("-activity_score", "-recent_prs", "name")[:MAX_CANDIDATES]
    )
    return [p for p in projects if p.wants_contributions]


def _person(row: dict) -> str | None:
    """One key per person for an author column: the linked portal user, else the forge account."""
    if row["author__user_id"] is not None:
        return f"u:{row['author__user_id']}"
    if row["author_id"] is not None:
        return f"a:{row['author_id']}"
    return None


_AUTHOR = ("author_id", "author__user_id")
_NOT_BOT = Q(author__isnull=True) | Q(author__is_bot=False)
_PERSON = Q(author__isnull=False, author__is_bot=False)


def _median_first_response(project_ids: list[int], *, now: datetime) -> dict[int, float | None]:
    """Median hours to a first answer per project (None without items), in five queries overall."""
    since = now - timedelta(days=RESPONSE_DAYS)
    requests = PullRequest.objects.filter(
        _NOT_BOT, repository__project_id__in=project_ids, created_at__gte=since
    ).exclude(draft=True, ready_for_review_at__isnull=True)
    issues = Issue.objects.filter(_NOT_BOT, repository__project_id__in=project_ids, created_at__gte=since)

    # What the project's own owners, maintainers and trusted committers open (their plans, the issues
    # they set aside for newcomers) is not a newcomer waiting for an answer.
    team = {
        (project_id, f"u:{user_id}")
        for project_id, user_id in ProjectRole.objects.filter(project_id__in=project_ids).values_list(
            "project_id", "user_id"
        )
    }
    # item -> (project, author, asked at)
    items: dict[tuple[str, int], tuple[int, str | None, datetime]] = {}
    for row in requests.values("pk", "repository__project_id", *_AUTHOR, "created_at", "ready_for_review_at"):
        asked = row["ready_for_review_at"] or row["created_at"]
        items["pr", row["pk"]] = (row["repository__project_id"], _person(row), asked)
    for row in issues.values("pk", "repository__project_id", *_AUTHOR, "created_at"):
        items["issue", row["pk"]] = (row["repository__project_id"], _person(row), row["created_at"])
    items = {item: value for item, value in items.items() if (value[0], value[1]) not in team}

    answers: list[tuple[tuple[str, int], str | None, datetime]] = []
    comments = Comment.objects.filter(_PERSON).filter(
        Q(pull_request__in=requests.values("pk")) | Q(issue__in=issues.values("pk"))
    )
    for row in comments.values("pull_request_id", "issue_id", *_AUTHOR, "created_at").order_by():
        item = ("pr", row["pull_request_id"]) if row["pull_request_id"] else ("issue", row["issue_id"])
        answers.append((item, _person(row), row["created_at"]))
    reviews = Review.objects.filter(
        _PERSON, pull_request__in=requests.values("pk"), submitted_at__isnull=False
    ).exclude(state=Review.ReviewState.PENDING)
    for row in reviews.values("pull_request_id", *_AUTHOR, "submitted_at").order_by():
        answers.append((("pr", row["pull_request_id"]), _person(row), row["submitted_at"]))

    first: dict[tuple[str, int], datetime] = {}
    for item, responder, at in answers:
        if item in items and responder != items[item][1] and (item not in first or at < first[item]):
            first[item] = at
    hours: dict[int, list[float]] = defaultdict(list)
    for item, (project_id, _author, asked) in items.items():
        answered = first.get(item, now)
        hours[project_id].append(max((answered - asked).total_seconds() / 3600, 0.0))
    return {pid: (statistics.median(hours[pid]) if hours[pid] else None) for pid in project_ids}


def _response_hours(project_ids: list[int], *, now: datetime) -> dict[int, float | None]:
    """The medians, from the cache where fresh: they do not depend on who is asking."""
    keys = {pid: f"community:first-response:{pid}" for pid in project_ids}
    cached = cache.get_many(list(keys.values()))
    # "No items" is cached as -1: a cached None cannot be told from a miss on every backend.
    result = {pid: (None if cached[key] < 0 else cached[key]) for pid, key in keys.items() if key in cached}
    missing = [pid for pid in project_ids if pid not in result]
    if missing:
        fresh = _median_first_response(missing, now=now)
        result.update(fresh)
        cache.set_many(
            {keys[pid]: (-1.0 if value is None else value) for pid, value in fresh.items()},
            RESPONSE_CACHE_SECONDS,
        )
    return result


def issue_url(issue: Issue) -> str:
    """The issue's page on its forge, when the repository has a web address."""
    return forge_item_url(repository=issue.repository, kind="issue", number=issue.number)


def _newcomer_issues(project_ids: list[int]) -> tuple[dict[int, list[Issue]], dict[int, int]]:
    """Up to 3 open newcomer issues per project (newest first) and how many each has, in one query."""
    labelled = newcomer_labelled()
    partition = {"partition_by": F("repository__project_id")}
    rows = (
        Issue.objects.filter(labelled, repository__project_id__in=project_ids, state=State.OPEN)
        .select_related("repository")
        .annotate(
            rank=Window(RowNumber(), order_by=[F("created_at").desc(), F("pk").desc()], **partition),
            total=Window(Count("pk"), **partition),
        )
        .filter(rank__lte=ISSUES_PER_PROJECT)
    )
    issues: dict[int, list[Issue]] = defaultdict(list)
    totals: dict[int, int] = {}
    for issue in rows:
        issue.url = issue_url(issue)
        issues[issue.repository.project_id].append(issue)
        totals[issue.repository.project_id] = issue.total
    for found in issues.values():
        found.sort(key=lambda i: i.rank)
    return issues, totals


def _about(hours: float) -> str:
    if hours < 1:
        return "within the hour"
    if hours < 36:
        n = round(hours)
        return f"in about {n} hour{'s' if n != 1 else ''}"
    n = round(hours / 24)
    return f"in about {n} days"


def _scale(value: float, top: float) -> float:
    return math.log1p(value) / math.log1p(top) if top > 0 else 0.0


def _project_terms(project: Project) -> dict[str, str]:
    terms: dict[str, str] = {}
    for term in [*(project.skills_wanted or []), *(t.name for t in project.topics.all())] + [
        language.name for language in project.languages.all()
    ]:
        if isinstance(term, str | int) and _norm(term):
            terms.setdefault(_norm(term), str(term).strip())
    return terms


def _listing(terms: list[str]) -> str:
    return ", ".join(sorted(terms, key=str.casefold))


def first_projects_for(*, user, limit: int = 5) -> list[Suggestion]:
    """The projects this person could best start contributing to, best first, with the reasons why."""
    if not user.is_authenticated:
        return []
    skills, interests = _person_terms(user)
    return _ranked(user=user, skills=skills, interests=interests, limit=limit)


def _ranked(*, user, skills: dict[str, str], interests: dict[str, str], limit: int) -> list[Suggestion]:
    now = timezone.now()
    candidates = _candidates(user, since=now - timedelta(days=ACTIVITY_DAYS))
    if not candidates:
        return []
    ids = [p.pk for p in candidates]
    responses = _response_hours(ids, now=now)
    issues, issue_totals = _newcomer_issues(ids)
    top_activity = max(max(p.activity_score, 0) for p in candidates)
    top_recent = max(p.recent_prs for p in candidates)

    suggestions = []
    for project in candidates:
        reasons: list[str] = []
        offered = _project_terms(project)
        skill_hits = [offered[t] for t in offered if t in skills]
        interest_hits = [offered[t] for t in offered if t in interests and t not in skills]
        hits = len(skill_hits) + len(interest_hits)
        fit = 2.0 + 0.5 * min(hits - 1, 3) if hits else 0.0
        if skill_hits:
            reasons.append(f"matches your skills: {_listing(skill_hits)}")
        if interest_hits:
            reasons.append(f"matches your interests: {_listing(interest_hits)}")

        activity = 0.5 * _scale(max(project.activity_score, 0), top_activity) + 0.5 * _scale(
            project.recent_prs, top_recent
        )
        if project.recent_prs:
            n = project.recent_prs
            reasons.append(
                f"active: {n} pull request{'s' if n != 1 else ''} in the last {ACTIVITY_DAYS} days"
            )

        median = responses.get(project.pk)
        responsiveness = 24 / (24 + (UNKNOWN_RESPONSE_HOURS if median is None else median))
        if median is not None and median <= QUICK_RESPONSE_HOURS:
            reasons.append(f"answers newcomers {_about(median)}")

        open_issues = issues.get(project.pk, [])
        total = issue_totals.get(project.pk, 0)
        if total:
            reasons.append(f"{total} good first issue{'s' if total != 1 else ''} open")
        if not reasons:
            reasons.append("is looking for contributors")
        score = fit + activity + responsiveness + (0.25 if total else 0.0)
        suggestions.append(
            Suggestion(
                project=project,
                score=round(score, 4),
                reasons=reasons,
                good_first_issues=open_issues,
                fits=bool(hits),
            )
        )
    suggestions.sort(key=lambda s: (-s.score, -s.project.activity_score, s.project.name.casefold()))
    return suggestions[:limit]


def home_suggestions(*, user, limit: int = 5) -> FirstProjects | None:
    """Suggestions for the home page of an explorer (or someone without a profile yet); None for
    anyone else, so the page can tell "not for you" from "nothing to suggest"."""
    if not user.is_authenticated:
        return None
    stage = Practitioner.objects.filter(user=user).values_list("stage", flat=True).first()
    if stage not in (None, Stage.EXPLORER):
        return None
    skills, interests = _person_terms(user)
    return FirstProjects(
        suggestions=_ranked(user=user, skills=skills, interests=interests, limit=limit),
        profiled=bool(skills or interests),
    )
