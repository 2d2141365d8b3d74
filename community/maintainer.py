"""A maintainer's "My projects": the projects a person holds a role on, and what waits for them there.

What waits:
- a registration the program office sent back (changes requested), for its owners and maintainers;
- first-time contributions nobody has answered: open requests, ready for review, from a person with no
  merged request in the project yet and no role on it, without a comment or review by anyone else;
- trusted-committer candidates (community.selectors.trusted_committer_candidates_by_project), for the
  owners and maintainers, who appoint them.

At most six queries whatever the number of projects: the roles, the waiting requests, and the candidates'
(the thresholds, then merged counts, review counts and people, the last two only where someone qualifies).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q

from catalog.models import Project, ProjectRole, ReviewStatus
from catalog.permissions import EDITOR_ROLES
from catalog.repositories import forge_item_url
from community.selectors import Candidate, trusted_committer_candidates_by_project
from metrics.models import Comment, PullRequest, Review, State

# The oldest waiting requests first, at most this many over all the person's projects: a page to act on,
# not an archive (the project's forge lists the rest).
WAITING_LIMIT = 50

# Registrations first (they wait for their owners), then what the catalog lists.
_STATUS_ORDER = {
    ReviewStatus.CHANGES_REQUESTED: 0,
    ReviewStatus.PENDING: 1,
    ReviewStatus.APPROVED: 2,
    ReviewStatus.REJECTED: 3,
}


@dataclass(kw_only=True)
class MyProject:
    project: Project
    roles: list[str]  # ProjectRole.Role values
    waiting: list[PullRequest] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [ProjectRole.Role(role).label for role in self.roles]

    @property
    def runs_it(self) -> bool:
        """An owner or maintainer: acts on the registration and appoints trusted committers."""
        return any(role in EDITOR_ROLES for role in self.roles)

    @property
    def sent_back(self) -> bool:
        return self.runs_it and self.project.review_status == ReviewStatus.CHANGES_REQUESTED

    @property
    def needs_attention(self) -> bool:
        return self.sent_back or bool(self.waiting) or bool(self.candidates)


def _unanswered_first_contributions(*, project_ids: list[int]) -> list[PullRequest]:
    """WAITING_LIMIT open requests, oldest first: see the module's docstring."""
    author = OuterRef("author_id")
    # The same person: the same forge account, or another account of the same portal user.
    same_person = Q(author_id=author) | Q(author__user_id=OuterRef("author__user_id"))
    merged_before = PullRequest.objects.filter(
        same_person, repository__project_id=OuterRef("repository__project_id"), merged_at__isnull=False
    )
    holds_role = ProjectRole.objects.filter(
        project_id=OuterRef("repository__project_id"), user_id=OuterRef("author__user_id")
    )
    answered_by_someone_else = Q(author__isnull=False, author__is_bot=False) & ~Q(author_id=author)
    comments = Comment.objects.filter(answered_by_someone_else, pull_request_id=OuterRef("pk"))
    reviews = Review.objects.filter(
        answered_by_someone_else, pull_request_id=OuterRef("pk"), submitted_at__isnull=False
    ).exclude(state=Review.ReviewState.PENDING)
    return list(
        PullRequest.objects.filter(
            repository__project_id__in=project_ids,
            state=State.OPEN,
            draft=False,
            author__isnull=False,
            author__is_bot=False,
        )
        .exclude(Exists(merged_before))
        .exclude(Exists(holds_role))
        .exclude(Exists(comments))
        .exclude(Exists(reviews))
        .select_related("repository", "author")
        .order_by("created_at", "pk")[:WAITING_LIMIT]
    )


def my_projects(*, user: User, now: datetime) -> list[MyProject]:
    """The projects `user` holds a role on (not those merged into another), registrations first."""
    rows: dict[int, MyProject] = {}
    roles = (
        ProjectRole.objects.filter(user=user, project__merged_into__isnull=True)
        .select_related("project__business_unit")
        .order_by("project__name", "role")
    )
    for role in roles:
        entry = rows.setdefault(role.project_id, MyProject(project=role.project, roles=[]))
        entry.roles.append(role.role)
    if not rows:
        return []
    for request in _unanswered_first_contributions(project_ids=list(rows)):
        request.url = forge_item_url(repository=request.repository, kind="request", number=request.number)
        rows[request.repository.project_id].waiting.append(request)
    running = [pk for pk, entry in rows.items() if entry.runs_it]
    for project_id, candidates in trusted_committer_candidates_by_project(
        project_ids=running, now=now
    ).items():
        rows[project_id].candidates = candidates
    return sorted(
        rows.values(),
        key=lambda e: (_STATUS_ORDER[ReviewStatus(e.project.review_status)], e.project.name.lower()),
    )
