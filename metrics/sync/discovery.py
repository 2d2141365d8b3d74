"""Discovery: repositories of a GitHub organisation carrying a topic become registrations to review.

Teams mark their repositories with a topic (by default `inner-source`) instead of filling in the
registration form; the program office then reviews them like any other registration.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from catalog.models import BusinessUnit, Forge, Project, ProjectChange, Repository, ReviewStatus
from catalog.notifications import notification_send
from catalog.repositories import normalise_repository_url, repository_by_url
from catalog.services import program_office_members, unique_slug
from metrics.sync.github import API_VERSION
from metrics.sync.http import ForgeError, ForgeHTTP

DEFAULT_TOPIC = "inner-source"
FALLBACK_DESCRIPTION = "Discovered on GitHub"


@dataclass(frozen=True)
class Discovered:
    full_name: str
    url: str
    created: bool
    project: Project | None = None


def _client() -> ForgeHTTP:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
    if settings.GITHUB_TOKEN:
        headers["Authorization"] = f"Bearer {settings.GITHUB_TOKEN}"
    return ForgeHTTP(base_url=settings.GITHUB_API_URL, headers=headers, forge_name="GitHub")


def search_repositories(*, org: str, topic: str, http: ForgeHTTP | None = None) -> Iterator[dict]:
    """Every repository the search finds. Search answers are objects ({"items": [...]}), not lists,
    so the pages are followed here rather than with ForgeHTTP.pages."""
    http = http or _client()
    page = http.get(
        "/search/repositories", params={"q": f"org:{org} topic:{topic}", "per_page": 100}, conditional=False
    )
    count = 1
    while True:
        items = page.data.get("items") if isinstance(page.data, dict) else None
        if not isinstance(items, list):
            raise ForgeError("GitHub sent a malformed search answer")
        yield from (item for item in items if isinstance(item, dict))
        if not page.next_url or count >= settings.FORGE_MAX_PAGES:
            return
        page = http.get(page.next_url, conditional=False)
        count += 1


def _known(url: str, full_name: str) -> bool:
    if repository_by_url(url, forge=Forge.GITHUB) is not None:  # also when registered in another case
        return True
    return (
        bool(full_name)
        and Repository.objects.filter(forge=Forge.GITHUB, full_name__iexact=full_name).exists()
    )


@transaction.atomic
def _register(*, item: dict, url: str, full_name: str, business_unit: BusinessUnit, note: str) -> Project:
    name = str(item.get("name") or full_name.split("/")[-1])[:120]
    description = str(item.get("description") or "").strip() or FALLBACK_DESCRIPTION
    project = Project.objects.create(
        name=name,
        slug=unique_slug(name=name),
        description=description[:300],
        business_unit=business_unit,
        review_status=ReviewStatus.PENDING,
    )
    Repository.objects.create(project=project, forge=Forge.GITHUB, url=url, full_name=full_name[:200])
    ProjectChange.objects.create(project=project, action=ProjectChange.Action.REGISTERED, note=note)
    return project


def repositories_discover(*, org: str, topic: str, business_unit: BusinessUnit) -> list[Discovered]:
    """Register, as pending projects, the organisation's repositories with the topic that the catalog
    does not know yet. Running it again registers nothing twice."""
    note = f"discovered on GitHub (org {org}, topic {topic})"
    results = []
    for item in search_repositories(org=org, topic=topic):
        html_url, full_name = str(item.get("html_url") or ""), str(item.get("full_name") or "")
        if not html_url:
            continue
        url = normalise_repository_url(html_url)
        if _known(url, full_name):
            results.append(Discovered(full_name=full_name, url=url, created=False))
            continue
        project = _register(item=item, url=url, full_name=full_name, business_unit=business_unit, note=note)
        results.append(Discovered(full_name=full_name, url=url, created=True, project=project))
    created = sum(r.created for r in results)
    if created:
        message = f"{created} project{'s' * (created != 1)} discovered on GitHub to review ({org}, {topic})"
        for reviewer in program_office_members():
            notification_send(user=reviewer, message=message, url=reverse("catalog:review_queue"))
    return results
