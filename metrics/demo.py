"""A believable year of repository activity for the demo organisation, written through the same
upsert service the sync uses (activity_upsert), so the demo exercises the real code path."""

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


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _repository_year(
    *, repository: Repository, members: list, visitors: list, rng: random.Random, base: datetime
) -> ActivityBatch:
    batch = ActivityBatch()
    busy = max(1, sum(repository.participation[-26:]) // 8) if repository.participation else 3
    maintainers = members[:3] or visitors[:1]
    id_base = repository.pk * 1_000_000
    for number in range(1, min(90, 8 + busy) + 1):
        author_user = rng.choice(visitors if rng.random() < 0.35 and visitors else members or visitors)
        author = BOT if rng.random() < 0.06 else _account(author_user)
        created = base - timedelta(days=rng.uniform(0, 365))
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
                        sha=f"{repository.pk:06x}{number:06x}{n:04x}".ljust(40, "0"),
                        author=author,
                        author_name=author.name,
                        author_email=author.email,
                        authored_at=authored,
                    )
                )
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


def demo_activity_seed(*, rng: random.Random, base: datetime) -> dict[str, int]:
    """Write a year of requests, reviews, comments, issues, commits and releases for every forge repository
    of a listed project: members do most of the work, people of other units some of it."""
    people = list(get_user_model().objects.select_related("practitioner").order_by("pk"))
    roles = Prefetch(
        "roles", queryset=ProjectRole.objects.select_related("user__practitioner").order_by("pk")
    )
    projects = Project.objects.listed().prefetch_related(roles, "repositories").order_by("pk")
    counts = {"pull requests": 0, "reviews": 0, "comments": 0, "issues": 0, "commits": 0, "releases": 0}
    for project in projects:
        members = [role.user for role in project.roles.all()]
        visitors = rng.sample(people, k=min(12, len(people)))
        for repository in project.repositories.all():
            if repository.forge == Forge.GIT:
                continue
            batch = _repository_year(
                repository=repository, members=members, visitors=visitors, rng=rng, base=base
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
