"""Export the listed catalog: SAP's ``repos.json`` (so SAP's front end can show it), the portal's JSON
(innersource.json objects plus portal fields, which ``import_catalog --format innersource`` reads back)
and CSV."""

import csv
import io
import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.db.models import Prefetch

from catalog.models import Project, Repository

CSV_COLUMNS = (
    "slug",
    "name",
    "description",
    "business_unit",
    "lifecycle",
    "topics",
    "languages",
    "license",
    "repositories",
    "docs_url",
    "contributing_url",
    "communication_url",
    "skills_wanted",
    "contributions_wanted",
    "activity_score",
    "featured",
    "verified",
    "created_at",
)


def listed_projects():
    """What the catalog shows to everyone (approved, not merged, company-wide), with what an export
    reads, in name order. Projects restricted to business units never leave the portal in an export."""
    return (
        Project.objects.listed()
        .visible_to(None)  # what anyone, signed in or not, may see
        .select_related("business_unit")
        .prefetch_related(
            "topics", "languages", Prefetch("repositories", queryset=Repository.objects.order_by("pk"))
        )
        .order_by("name", "slug")
    )


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    utc = value.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds" if utc.microsecond // 1000 else "seconds") + "Z"


def _languages(project: Project) -> list[str]:
    return sorted((language.name for language in project.languages.all()), key=str.casefold)


def _topics(project: Project) -> list[str]:
    return sorted((topic.name for topic in project.topics.all()), key=str.casefold)


def _contributions(project: Project) -> list[str]:
    return [line.strip() for line in project.contributions_wanted.splitlines() if line.strip()]


def _full_name(repository: Repository) -> str:
    if repository.full_name:
        return repository.full_name
    path = urlsplit(repository.url).path if "://" in repository.url else repository.url.partition(":")[2]
    return path.strip("/").removesuffix(".git")


def html_url(repository: Repository) -> str:
    """The repository's URL with the owner/name spelt as the forge spells it (stored URLs are lower-cased)."""
    full_name = repository.full_name
    if full_name and repository.url.lower().endswith("/" + full_name.lower()):
        return repository.url[: -len(full_name)] + full_name
    return repository.url


def _guidelines(project: Project, repository: Repository) -> str:
    """SAP's front end links guidelines at <html_url>/blob/<branch>/<path>: a path when it can be one."""
    url = project.contributing_url
    prefix = f"{html_url(repository)}/blob/".lower()
    if url.lower().startswith(prefix):
        branch_and_path = url[len(prefix) :]
        branch, _, path = branch_and_path.partition("/")
        if path and branch in (repository.default_branch or "HEAD", "HEAD"):
            return path
    return url


def sap_entry(project: Project, repository: Repository) -> dict:
    full_name = _full_name(repository)
    owner, _, name = full_name.rpartition("/")
    languages = _languages(project)
    topics = _topics(project)
    metadata: dict = {
        "title": project.name,
        "participation": list(repository.participation),
        "score": project.activity_score,
        "topics": topics,
        # The portal's exact values, which SAP's front end ignores and import_catalog reads back.
        "portal": {
            "url": project.get_absolute_url(),
            "description": project.description,
            "repository_description": repository.description,
            "license": project.license,
            "repository_license": repository.license,
            "business_unit": project.business_unit.slug,
            "business_unit_name": project.business_unit.name,
            "languages": languages,
        },
    }
    optional = {
        "motivation": project.motivation,
        "contributions": _contributions(project),
        "skills": list(project.skills_wanted),
        "docs": project.docs_url,
        "guidelines": _guidelines(project, repository),
        "logo": project.logo_url,
    }
    metadata.update({key: value for key, value in optional.items() if value})
    license_name = repository.license or project.license
    return {
        "id": repository.pk,
        "name": name or full_name,
        "full_name": full_name,
        "html_url": html_url(repository),
        "description": repository.description or project.description,
        "created_at": iso(repository.forge_created_at or project.created_at),
        "updated_at": iso(repository.forge_updated_at or project.updated_at),
        "pushed_at": iso(repository.forge_pushed_at),
        "stargazers_count": repository.stars,
        "watchers_count": repository.stars,
        "subscribers_count": repository.watchers,
        "forks_count": repository.forks,
        "open_issues_count": repository.open_issues,
        "language": languages[0] if languages else None,
        "license": (
            {"key": license_name.lower(), "name": license_name, "spdx_id": license_name}
            if license_name
            else None
        ),
        "default_branch": repository.default_branch or None,
        "topics": topics,
        "owner": {"login": owner or project.business_unit.slug},
        "_InnerSourceMetadata": metadata,
    }


def export_sap() -> str:
    """A repos.json: one repository per listed project that has one (its first)."""
    entries = []
    for project in listed_projects():
        repositories = list(project.repositories.all())
        if repositories:
            entries.append(sap_entry(project, repositories[0]))
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def json_entry(project: Project) -> dict:
    languages = _languages(project)
    urls = [repository.url for repository in project.repositories.all()]
    return {
        "title": project.name,
        "slug": project.slug,
        "description": project.description,
        "motivation": project.motivation,
        "contributions": _contributions(project),
        "skills": list(project.skills_wanted),
        "topics": _topics(project),
        "language": languages[0] if languages else None,
        "languages": languages,
        "docs": project.docs_url,
        "guidelines": project.contributing_url,
        "logo": project.logo_url,
        "communication": project.communication_url,
        "license": project.license,
        "lifecycle": project.lifecycle,
        "business_unit": project.business_unit.slug,
        "business_unit_name": project.business_unit.name,
        "repository": urls[0] if urls else None,
        "repositories": urls,
        "activity_score": project.activity_score,
        "featured": project.featured,
        "verified": project.verified,
        "portal_url": project.get_absolute_url(),
    }


def export_json() -> str:
    return json.dumps([json_entry(p) for p in listed_projects()], indent=2, ensure_ascii=False) + "\n"


def _cell(value) -> str:
    text = str(value)
    # A spreadsheet would run a cell starting with = + - @ as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for project in listed_projects():
        row = {
            "slug": project.slug,
            "name": project.name,
            "description": project.description,
            "business_unit": project.business_unit.name,
            "lifecycle": project.lifecycle,
            "topics": "; ".join(_topics(project)),
            "languages": "; ".join(_languages(project)),
            "license": project.license,
            "repositories": " ".join(r.url for r in project.repositories.all()),
            "docs_url": project.docs_url,
            "contributing_url": project.contributing_url,
            "communication_url": project.communication_url,
            "skills_wanted": "; ".join(project.skills_wanted),
            "contributions_wanted": "; ".join(_contributions(project)),
            "activity_score": project.activity_score,
            "featured": project.featured,
            "verified": project.verified,
            "created_at": iso(project.created_at),
        }
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


EXPORTERS = {"sap": export_sap, "json": export_json, "csv": export_csv}
