"""A believable year of repository activity for the demo organisation, written through the same
upsert service the sync uses (activity_upsert), so the demo exercises the real code path.

Every moment counts back from `base`, the moment the demo is seeded: the activity runs up to it.
Featured and verified projects are the ones the program office points people to: each of their
repositories has a request (or, on a plain git host, a commit) by a person in the RECENT_DAYS whole
days before the seeding day, one more being added where the draws left none, so that even the last
bucket of the default dashboards (whole days, ending yesterday) shows their recent contributors.
"""

import hashlib
import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from catalog.models import Forge, Project, ProjectRole, Repository
from metrics.services import activity_upsert
from metrics.sync.records import (
    AccountRecord,
    ActivityBatch,
    CommentRecord,
    CommitRecord,
    IssueRecord,
    PullRequestRecord,
    ReleaseRecord,
    ReviewRecord,
)

RECENT_DAYS = 10
BOT = AccountRecord(login="dependabot[bot]", external_id="49699333", is_bot=True)
PR_TITLES = [
    "Add retry with jitter to the client",
    "Fix time zone handling in the exporter",
    "Document the configuration options",
    "Bump the minimum runtime version",
    "Support pagination in the list endpoint",
    "Make the schema validation stricter",
    "Add metrics for cache hits",
    "Fix flaky integration test",
    "Add a dark mode token set",
    "Handle empty payloads gracefully",
]
ISSUE_TITLES = [
    "Docs: getting started misses a step",
    "Error message is unclear when the token expires",
    "Support for the new region",
    "Memory grows when streaming large files",
    "Add an example for Kotlin",
    "Release notes for the last version are missing",
]


def _account(user) -> AccountRecord:
    practitioner = getattr(user, "practitioner", None)
    login = (
        practitioner.github_login if practitioner and practitioner.github_login else user.username
    ).lower()
    return AccountRecord(login=login, name=user.get_full_name(), email=user.email)


def _git_account(user) -> AccountRecord:
    """A commit author as the plain git sync records one: the lower-cased e-mail is the login."""
    return AccountRecord(login=user.email.lower(), name=user.get_full_name(), email=user.email)


def _sha(repository: Repository, *parts: object) -> str:
    """A commit id of the repository's own (by its URL, not its primary key: reseeds write the same)."""
    return hashlib.sha1(":".join(map(str, (repository.url, *parts))).encode()).hexdigest()


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _recent_days(base: datetime) -> tuple[datetime, datetime]:
    """The RECENT_DAYS whole (UTC) days before the day of `base`: [lo, hi)."""
    hi = base.replace(hour=0, minute=0, second=0, microsecond=0)
    return hi - timedelta(days=RECENT_DAYS), hi


def _repository_year(
    *,
    repository: Repository,
    members: list,
    visitors: list,
    rng: random.Random,
    base: datetime,
    recent: bool = False,
) -> ActivityBatch:
    batch = ActivityBatch()
    busy = max(1, sum(repository.participation[-26:]) // 8) if repository.participation else 3
    maintainers = members[:3] or visitors[:1]
    id_base = repository.pk * 1_000_000
    recent_lo, recent_hi = _recent_days(base)

    def request(number: int, *, lately: bool = False) -> None:
        author_user = rng.choice(visitors if rng.random() < 0.35 and visitors else members or visitors)
        author = BOT if rng.random() < 0.06 else _account(author_user)
        created = base - timedelta(days=rng.uniform(0, 365))
        if lately:  # the same draws as any request, moved into the recent whole days
            author = _account(author_user)
            created = recent_lo + (created - (base - timedelta(days=365))) * RECENT_DAYS / 365
        draft_for = _hours(rng, 1, 30) if rng.random() < 0.2 else None
        ready = created + draft_for if draft_for else None
        opened = ready or created
        roll = rng.random()
        reviewer = _account(rng.choice([m for m in maintainers if m != author_user] or maintainers))
        first_answer = opened + _hours(rng, 0.3, 96)
        merged_at = closed_at = None
        state = "open"
        if roll < 0.75:
            state, merged_at = "merged", first_answer + _hours(rng, 1, 120)
            closed_at = merged_at
        elif roll < 0.85:
            state, closed_at = "closed", first_answer + _hours(rng, 2, 200)
        if (merged_at and merged_at > base) or (closed_at and closed_at > base):
            state, merged_at, closed_at = "open", None, None
        last = closed_at or first_answer
        batch.pull_requests.append(
            PullRequestRecord(
                forge_id=id_base + number,
                number=number,
                title=rng.choice(PR_TITLES),
                state=state,
                draft=bool(draft_for) and state == "open" and rng.random() < 0.3,
                author=author,
                merged_by=reviewer if merged_at else None,
                labels=rng.sample(
                    ["enhancement", "bug", "documentation", "dependencies"], k=rng.randint(0, 2)
                ),
                additions=rng.randint(1, 600),
                deletions=rng.randint(0, 200),
                created_at=created,
                updated_at=min(base, last),
                ready_for_review_at=ready,
                merged_at=merged_at,
                closed_at=closed_at,
            )
        )
        if first_answer <= base:
            batch.comments.append(
                CommentRecord(
                    forge_id=id_base + 500_000 + number,
                    kind="issue",
                    author=reviewer,
                    created_at=first_answer,
                    updated_at=first_answer,
                    pull_request_number=number,
                )
            )
            batch.reviews.append(
                ReviewRecord(
                    pull_request_number=number,
                    forge_id=id_base + number,
                    author=reviewer,
                    state="approved" if merged_at else rng.choice(["commented", "changes_requested"]),
                    submitted_at=min(base, first_answer + _hours(rng, 0, 6)),
                )
            )
        if merged_at and author is not BOT:
            for n in range(rng.randint(1, 4)):
                authored = created - _hours(rng, 0, 48)
                batch.commits.append(
                    CommitRecord(
                        sha=_sha(repository, "request", number, n),
                        author=author,
                        author_name=author.name,
                        author_email=author.email,
                        authored_at=authored,
                    )
                )

    requests = min(90, 8 + busy)
    for number in range(1, requests + 1):
        request(number)
    if recent and not any(
        r.author is not BOT and recent_lo <= r.created_at < recent_hi for r in batch.pull_requests
    ):
        request(requests + 1, lately=True)  # one more, by a person, in the recent days

    issue_start = 1000
    for offset in range(rng.randint(3, 12)):
        number = issue_start + offset
        created = base - timedelta(days=rng.uniform(0, 365))
        reporter = _account(rng.choice(visitors or members))
        closed = created + timedelta(days=rng.uniform(1, 60)) if rng.random() < 0.6 else None
        labels = rng.sample(["bug", "good first issue", "help wanted", "question"], k=rng.randint(0, 2))
        batch.issues.append(
            IssueRecord(
                forge_id=id_base + 800_000 + number,
                number=number,
                title=rng.choice(ISSUE_TITLES),
                state="closed" if closed and closed <= base else "open",
                author=reporter,
                labels=labels,
                created_at=created,
                updated_at=min(base, closed or created),
                closed_at=closed if closed and closed <= base else None,
            )
        )
        answered = created + _hours(rng, 0.5, 120)
        if answered <= base and maintainers:
            batch.comments.append(
                CommentRecord(
                    forge_id=id_base + 900_000 + number,
                    kind="issue",
                    author=_account(rng.choice(maintainers)),
                    created_at=answered,
                    updated_at=answered,
                    issue_number=number,
                )
            )
    for month in range(0, 12, rng.choice([1, 2, 3])):
        published = base - timedelta(days=30 * month + rng.uniform(0, 20))
        batch.releases.append(
            ReleaseRecord(
                forge_id=f"demo-{repository.pk}-{month}",
                tag=f"v{1 + (12 - month) // 6}.{(12 - month) % 6}.0",
                name="",
                draft=False,
                prerelease=rng.random() < 0.15,
                published_at=published,
                author=_account(maintainers[0]) if maintainers else None,
            )
        )
    return batch


def _git_history(
    *, repository: Repository, members: list, visitors: list, rng: random.Random, base: datetime, recent: bool
) -> ActivityBatch:
    """A plain git host has commits and nothing else (the git sync reads only those): a third of the
    repository's weekly commit counts (`participation`, oldest week first, the last one ending at `base`),
    mostly by the project's people."""
    authors = members or visitors
    moments = []
    for week, commits in enumerate(repository.participation or []):
        week_start = base - timedelta(weeks=len(repository.participation) - week)
        moments += [week_start + timedelta(days=rng.uniform(0, 7)) for _ in range(min(12, commits // 3))]
    recent_lo, recent_hi = _recent_days(base)
    if recent and not any(recent_lo <= moment < recent_hi for moment in moments):
        moments.append(recent_lo + timedelta(days=rng.uniform(0, RECENT_DAYS - 0.01)))
    batch = ActivityBatch()
    for n, authored in enumerate(sorted(moments)):
        author = _git_account(rng.choice(visitors if rng.random() < 0.2 and visitors else authors))
        batch.commits.append(
            CommitRecord(
                sha=_sha(repository, "git", n),
                author=author,
                author_name=author.name,
                author_email=author.email,
                authored_at=min(authored, base - timedelta(minutes=1)).replace(microsecond=0),
            )
        )
    return batch


def demo_activity_seed(*, rng: random.Random, base: datetime) -> dict[str, int]:
    """Write a year up to `base` of requests, reviews, comments, issues, commits and releases for every
    forge repository of a listed project, and of commits for every plain git one: members do most of
    the work, people of other units some of it."""
    people = list(get_user_model().objects.select_related("practitioner").order_by("pk"))
    roles = Prefetch(
        "roles", queryset=ProjectRole.objects.select_related("user__practitioner").order_by("pk")
    )
    projects = Project.objects.listed().prefetch_related(roles, "repositories").order_by("pk")
    counts = {"pull requests": 0, "reviews": 0, "comments": 0, "issues": 0, "commits": 0, "releases": 0}
    for project in projects:
        members = [role.user for role in project.roles.all()]
        visitors = rng.sample(people, k=min(12, len(people)))
        recent = project.featured or project.verified
        for repository in project.repositories.all():
            year = _git_history if repository.forge == Forge.GIT else _repository_year
            batch = year(
                repository=repository, members=members, visitors=visitors, rng=rng, base=base, recent=recent
            )
            # The seed evaluates everyone once at the end, rather than after every repository.
            activity_upsert(repository=repository, batch=batch, announce=False)
            counts["pull requests"] += len(batch.pull_requests)
            counts["reviews"] += len(batch.reviews)
            counts["comments"] += len(batch.comments)
            counts["issues"] += len(batch.issues)
            counts["commits"] += len(batch.commits)
            counts["releases"] += len(batch.releases)
    return counts
