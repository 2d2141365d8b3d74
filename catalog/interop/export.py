"""Export the listed catalog: SAP's ``repos.json`` (so SAP's front end can show it), the portal's JSON
(innersource.json objects plus portal fields, which ``import_catalog --format innersource`` reads back)
and CSV.

What SAP's page (SAP/project-portal-for-innersource, scripts/index.js) reads of each repos.json entry,
and so what ``sap_entry`` must get right: ``id``, ``name``, ``full_name``, ``html_url``, ``description``,
``created_at``, ``updated_at``, the counts, ``language``, ``default_branch``, ``owner.login`` and
``owner.avatar_url`` (the card's image when there is no logo), and under ``_InnerSourceMetadata``:
``title``, ``motivation``, ``score``, ``participation``, ``topics``, ``skills``, ``contributions``,
``docs`` (also the CONTRIBUTE link when present), ``logo`` and ``guidelines`` (a path that it appends to
``<html_url>/blob/<default_branch>/``).
"""

import csv
import io
import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch
from django.db.models.functions import Lower
from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

from catalog.avatars import project_avatar_url
from catalog.models import Forge, Project, Repository

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
        # Case-blind, as people read a list: "Access Review" before "AML Rules", "dbt Macros" among the d's.
        .order_by(Lower("name"), "slug")
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


def guidelines_path(project: Project, repository: Repository) -> str | None:
    """The contribution guidelines as SAP's page wants them: a path in the repository, which it links at
    ``<html_url>/blob/<default_branch>/<path>``. Only when the project's contributing URL is a file of
    this GitHub repository on its default branch (or on HEAD, which GitHub resolves to it): anything
    else would make that link a broken one, so it is left out, and the page's CONTRIBUTE button goes to
    the documentation or the repository instead. (GitLab spells its file links ``/-/blob/``, and plain
    git hosts have none, so their guidelines are left out too.)"""
    if repository.forge != Forge.GITHUB or not repository.default_branch:
        return None
    url = project.contributing_url
    prefix = f"{html_url(repository)}/blob/"
    # The host, owner and name are compared case-blind (as the forge does); branch and path are not.
    if not url.lower().startswith(prefix.lower()):
        return None
    branch_and_path = url[len(prefix) :]
    for branch in (repository.default_branch, "HEAD"):
        path = branch_and_path[len(branch) + 1 :]
        if branch_and_path.startswith(f"{branch}/") and path.strip("/"):
            return path
    return None


def spdx_license_id(name: str) -> str | None:
    """The SPDX licence identifier that `name` is (case aside: "apache-2.0" → "Apache-2.0"), from the SPDX
    licence list that `packaging` carries; None for anything else: free text ("Proprietary (internal)"),
    an expression of several licences ("MIT OR Apache-2.0"), a LicenseRef- of one's own."""
    try:
        canonical = canonicalize_license_expression(name.strip())
    except InvalidLicenseExpression:
        return None
    # One identifier of the list: no operator, no "+" (or later), no reference of one's own.
    if " " in canonical or "+" in canonical or canonical.startswith(("LicenseRef-", "DocumentRef-")):
        return None
    return canonical


def sap_license(name: str) -> dict | None:
    """GitHub's licence object: `spdx_id` an SPDX identifier only when the licence is one; for any other
    licence GitHub's own answer for a licence it cannot identify ("NOASSERTION", SPDX's word for it),
    with the licence's name kept in `name`."""
    if not name:
        return None
    spdx_id = spdx_license_id(name)
    if spdx_id is None:
        return {"key": "other", "name": name, "spdx_id": "NOASSERTION"}
    return {"key": spdx_id.lower(), "name": name, "spdx_id": spdx_id}


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
            # Absolute (PORTAL_BASE_URL), like the avatar: the file is read outside the portal.
            "url": f"{settings.PORTAL_BASE_URL.rstrip('/')}{project.get_absolute_url()}",
            "description": project.description,
            "repository_description": repository.description,
            "license": project.license,
            "repository_license": repository.license,
            "business_unit": project.business_unit.slug,
            "business_unit_name": project.business_unit.name,
            "languages": languages,
            # The guidelines' URL as it is: SAP's `guidelines` holds only a path in the repository.
            "contributing_url": project.contributing_url,
        },
    }
    optional = {
        "motivation": project.motivation,
        "contributions": _contributions(project),
        "skills": list(project.skills_wanted),
        "docs": project.docs_url,
        "guidelines": guidelines_path(project, repository),
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
        "license": sap_license(license_name),
        "default_branch": repository.default_branch or None,
        "topics": topics,
        # The card's image when the project has no logo: the portal's own, one per project (the sync
        # keeps no forge avatar), so that cards differ and no outside service is asked for images.
        "owner": {"login": owner or project.business_unit.slug, "avatar_url": project_avatar_url(project)},
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


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ (or a tab or carriage return,
    which some spreadsheets skip before reading a formula) would be run as a formula."""
    text = str(value)
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
        writer.writerow([csv_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


EXPORTERS = {"sap": export_sap, "json": export_json, "csv": export_csv}
