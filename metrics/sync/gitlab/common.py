"""What the GitLab sync's parts share: its constants and cursors, the project's path, GitLab's times,
the weekly participation counted from stored commits, and the reading of pages and payloads."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from catalog.models import Repository
from metrics.models import Commit
from metrics.sync.http import ForgeError, ForgeHTTP, Page

PER_PAGE = 100
NOTES_PARAMS = {"sort": "asc", "order_by": "created_at", "per_page": PER_PAGE}
DIGEST_CURSOR = "project_digest"
# Set once the manifests have been listed: a project synced before the sync read manifests is read
# once whole even though it did not change, or its manifests would wait for its next change.
MANIFESTS_CURSOR = "manifests_listed"
WEEKS = 52


def project_path(repository: Repository) -> str:
    """namespace/project (subgroups included): the full name, else the repository URL's path."""
    path = repository.full_name.strip("/")
    if not path:
        path = urlsplit(repository.url).path.strip("/")
        prefix = urlsplit(settings.GITLAB_URL).path.strip("/")
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) + 1 :]  # GitLab served under a sub-path, e.g. https://host/gitlab
        path = path.removesuffix(".git")
    if not path:
        raise ForgeError(f"cannot tell the GitLab project of {repository.url}")
    return path


def iso(moment: datetime) -> str:
    # Whole seconds, rounded down: `updated_after`/`since` include the instant, so nothing is lost.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def participation(repository: Repository, *, now: datetime) -> list[int]:
    """Commits per ISO week (Monday to Sunday, UTC) of the last 52 weeks, oldest first, counted from
    the stored commits of the default branch: the sync and push webhooks keep those complete, and
    counting them costs no request (re-reading a year of commits would cost one per 100)."""
    now = now.astimezone(UTC)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    start = monday - timedelta(weeks=WEEKS - 1)
    counts = [0] * WEEKS
    authored = Commit.objects.filter(repository=repository, authored_at__gte=start, authored_at__lte=now)
    for moment in authored.values_list("authored_at", flat=True).iterator():
        week = (moment.astimezone(UTC) - start).days // 7
        if 0 <= week < WEEKS:
            counts[week] += 1
    return counts


def translated(what: str, translate: Callable[..., Any], *args, **kwargs) -> Any:
    """A payload we cannot read is the forge's fault, not ours: a ForgeError, recorded on the repository."""
    try:
        return translate(*args, **kwargs)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ForgeError(f"GitLab sent a malformed {what}: {error.__class__.__name__}: {error}") from error


def enabled(project: dict, feature: str) -> bool:
    """Whether issues / merge requests are switched on (their lists answer 403 otherwise)."""
    if project.get(f"{feature}_access_level") == "disabled":
        return False
    return project.get(f"{feature}_enabled") is not False


def all_items(http: ForgeHTTP, path: str, params: dict[str, Any]) -> list:
    """Every item of a paginated list."""
    items: list = []
    for page in http.pages(path, params=params, conditional=False):
        items.extend(page.data)
    return items


def marking_last(pages: Iterator[Page]) -> Iterator[tuple[Page, bool]]:
    """Each page with whether it is the last one (reads one page ahead)."""
    previous = None
    for page in pages:
        if previous is not None:
            yield previous, False
        previous = page
    if previous is not None:
        yield previous, True
