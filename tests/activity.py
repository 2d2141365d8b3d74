"""Forge activity in a test's own words: short builders over the shared factories (tests/factories.py)
for the repositories, accounts, pull requests, reviews, issues, comments and commits a hand-built
history is made of. Dates are always given: a test says when each thing happened."""

from datetime import datetime

from catalog.models import Project, Repository
from metrics.models import ForgeAccount, PullRequest
from tests.factories import (
    CommentFactory,
    CommitFactory,
    ForgeAccountFactory,
    IssueFactory,
    ProjectFactory,
    PullRequestFactory,
    RepositoryFactory,
    ReviewFactory,
)


def repo(project: Project | None = None, forge: str = "github") -> Repository:
    return RepositoryFactory(project=project or ProjectFactory(), forge=forge)


def account(login: str, *, user=None, forge: str = "github", bot: bool = False) -> ForgeAccount:
    return ForgeAccountFactory(forge=forge, login=login, user=user, is_bot=bot)


def pr(
    repository,
    author,
    created: datetime,
    *,
    merged=None,
    closed=None,
    ready=None,
    draft=False,
    merged_by=None,
):
    """A pull request; a merged one is closed when it is merged unless `closed` says otherwise."""
    return PullRequestFactory(
        repository=repository, author=author, created_at=created, merged_at=merged,
        closed_at=closed or merged, ready_for_review_at=ready, draft=draft, merged_by=merged_by,
    )  # fmt: skip


def review(request, author, submitted: datetime | None, state: str = "approved"):
    return ReviewFactory(pull_request=request, author=author, state=state, submitted_at=submitted)


def issue(repository, author, created: datetime, *, closed=None):
    return IssueFactory(repository=repository, author=author, created_at=created, closed_at=closed)


def comment(author, created: datetime, *, on):
    target = {"pull_request": on} if isinstance(on, PullRequest) else {"issue": on}
    return CommentFactory(author=author, created_at=created, **target)


def commit(repository, author, authored: datetime, *, merge=False, email="", times=1) -> None:
    CommitFactory.create_batch(
        times, repository=repository, author=author, author_email=email, authored_at=authored, is_merge=merge
    )
