"""SAP's Project Portal for InnerSource: ``repos.json``, repositories in GitHub's shape plus
``_InnerSourceMetadata`` (participation, topics, logo, title, motivation, skills, contributions, docs,
guidelines, language)."""

import math
from urllib.parse import urljoin

from django.utils.text import slugify

from catalog.interop.records import (
    MAX_ENTRIES,
    BusinessUnitRef,
    ImportEntry,
    ImportFormatError,
    RepositoryData,
    Source,
    count,
    decode,
    is_url,
    load_json,
    mapping,
    text,
    timestamp,
    url_or_note,
    weekly_counts,
    words,
)
from catalog.models import Forge
from catalog.repositories import repository_key


def readable_repo_name(name: str) -> str:
    """The title SAP's front end shows for a repository without one (its ``readableRepoName``)."""
    parts = name.split("-")
    if len(parts) == 1:
        parts = name.split("_")
    return " ".join(part[:1].upper() + part[1:] for part in parts)


def license_name(value, *, label: str) -> str:
    if value is None or isinstance(value, str):
        return (value or "").strip()[:80]
    if isinstance(value, dict):
        for key in ("spdx_id", "name", "key"):
            if isinstance(value.get(key), str) and value[key].strip() and value[key] != "NOASSERTION":
                return value[key].strip()[:80]
        return ""
    raise ImportFormatError(f"{label}: “license” must be null, a name or an object with spdx_id.")


def guidelines_url(guidelines: str, *, html_url: str, branch: str) -> str:
    """SAP's front end links a guidelines file at ``<html_url>/blob/<default_branch>/<path>``."""
    if is_url(guidelines):
        return guidelines
    path = guidelines.removeprefix("./").lstrip("/")
    return f"{html_url}/blob/{branch or 'HEAD'}/{path}"


def crawler_score_note(item: dict, meta: dict) -> str | None:
    """What the import says of a score the crawler computed, or None when the file carries none.

    SAP's CRAWLING.md puts the score in ``_InnerSourceMetadata.score``; zkoppert/innersource-crawler
    also writes it at the top level as ``score``, computed by the Python port of the pattern, which
    differs from the published JavaScript. Either is read, and neither is stored: it was computed at
    crawl time, perhaps by another formula, and the portal computes the published score from the
    repository's statistics at import and after every sync.
    """
    found = [
        (key, value)
        for key, value in (("_InnerSourceMetadata.score", meta.get("score")), ("score", item.get("score")))
        if value is not None
    ]
    if not found:
        return None
    readable = []
    for key, value in found:
        shown = str(value) if len(str(value)) <= 40 else str(value)[:39] + "…"
        if isinstance(value, int) and not isinstance(value, bool):
            # Not through float(): a JSON integer may be too large for one.
            readable.append(f"“{key}” {shown}")
        elif isinstance(value, float) and math.isfinite(value):
            readable.append(f"“{key}” {int(value) if value.is_integer() else value}")
        else:
            readable.append(f"“{key}” {shown!r} is not a number")
    return (
        f"crawler's activity score ({'; '.join(readable)}) not kept: the portal computes the published score"
        " from the repository's statistics"
    )


def parse_sap(data: bytes | str, *, name: str = "repos.json", logo_base_url: str = "") -> list[ImportEntry]:
    items = load_json(decode(data, name=name), name=name)
    if not isinstance(items, list):
        raise ImportFormatError(f"{name}: a repos.json holds a JSON array of repositories ([ … ]).")
    if len(items) > MAX_ENTRIES:
        raise ImportFormatError(f"{name}: more than {MAX_ENTRIES} repositories.")
    entries: list[ImportEntry] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        entry = _entry(item, index=index, name=name, logo_base_url=logo_base_url)
        if entry.key in seen:
            raise ImportFormatError(
                f"{entry.label}: the repository {entry.key} is already entry #{seen[entry.key]}."
            )
        seen[entry.key] = index
        entries.append(entry)
    return entries


def _entry(item, *, index: int, name: str, logo_base_url: str) -> ImportEntry:
    label = f"{name} entry #{index}"
    if not isinstance(item, dict):
        raise ImportFormatError(f"{label}: each repository must be a JSON object.")
    full_name = text(item.get("full_name"), label=label, what="full_name", limit=200)
    repo_name = text(item.get("name"), label=label, what="name")
    label = f"{label} ({full_name or repo_name or 'no name'})"
    html_url = text(item.get("html_url"), label=label, what="html_url").rstrip("/").removesuffix(".git")
    if not is_url(html_url):
        raise ImportFormatError(f"{label}: “html_url” must be the repository's http(s) URL.")
    owner = mapping(item.get("owner"), label=label, what="owner")
    login = text(owner.get("login"), label=label, what="owner.login") or full_name.partition("/")[0]
    if not slugify(login):
        raise ImportFormatError(f"{label}: “owner.login” (or full_name) must name the owning organisation.")
    meta = mapping(item.get("_InnerSourceMetadata"), label=label, what="_InnerSourceMetadata")
    title = text(meta.get("title"), label=label, what="_InnerSourceMetadata.title", limit=120)
    title = title or readable_repo_name(repo_name or full_name.rpartition("/")[2])[:120]
    if not title:
        raise ImportFormatError(f"{label}: neither “name” nor “_InnerSourceMetadata.title” is given.")
    repo_description = text(item.get("description"), label=label, what="description")
    motivation = text(meta.get("motivation"), label=label, what="_InnerSourceMetadata.motivation")
    branch = text(item.get("default_branch"), label=label, what="default_branch", limit=200)

    # The portal's own export keeps its exact values under "portal"; SAP's crawlers never write it.
    portal = mapping(meta.get("portal"), label=label, what="_InnerSourceMetadata.portal")
    unit = text(portal.get("business_unit"), label=label, what="portal.business_unit")
    unit_name = text(portal.get("business_unit_name"), label=label, what="portal.business_unit_name")
    entry = ImportEntry(
        index=index,
        label=label,
        source=Source.SAP,
        key=repository_key(html_url),
        business_unit=(
            BusinessUnitRef(slug=slugify(unit)[:120], name=(unit_name or unit)[:120])
            if slugify(unit)
            else BusinessUnitRef(slug=slugify(login)[:120], name=login[:120])
        ),
    )
    description = repo_description or motivation or title
    if "description" in portal:
        description = text(portal["description"], label=label, what="portal.description") or title
    if len(description) > 300:
        description = description[:299].rstrip() + "…"
    if "repository_description" in portal:
        repo_description = text(
            portal["repository_description"], label=label, what="portal.repository_description"
        )
    repo_license = license_name(item.get("license"), label=label)
    project_license = repo_license
    if "license" in portal:
        project_license = text(portal["license"], label=label, what="portal.license", limit=80)
    if "repository_license" in portal:
        repo_license = text(
            portal["repository_license"], label=label, what="portal.repository_license", limit=80
        )
    topics = words(meta.get("topics"), label=label, what="_InnerSourceMetadata.topics")
    topics += words(item.get("topics"), label=label, what="topics")
    languages = words(
        text(meta.get("language"), label=label, what="_InnerSourceMetadata.language")
        or text(item.get("language"), label=label, what="language"),
        label=label,
        what="language",
    )
    if "languages" in portal:
        languages = words(portal["languages"], label=label, what="portal.languages")
    entry.fields.update(
        name=title,
        description=description,
        motivation=motivation,
        license=project_license,
        skills_wanted=words(meta.get("skills"), label=label, what="_InnerSourceMetadata.skills"),
        contributions_wanted="\n".join(
            words(meta.get("contributions"), label=label, what="_InnerSourceMetadata.contributions")
        ),
        topics=words(topics, label=label, what="topics"),
        languages=languages,
        docs_url="",
        contributing_url="",
        logo_url="",
    )
    url_or_note(entry, target="docs_url", value=meta.get("docs"), what="docs")
    guidelines = text(meta.get("guidelines"), label=label, what="_InnerSourceMetadata.guidelines")
    if "contributing_url" in portal:
        # Our own export keeps guidelines outside the repository here (SAP's page reads only a path).
        url_or_note(
            entry, target="contributing_url", value=portal["contributing_url"], what="portal.contributing_url"
        )
    elif guidelines:
        url_or_note(
            entry,
            target="contributing_url",
            value=guidelines_url(guidelines, html_url=html_url, branch=branch),
            what="guidelines",
        )
    logo = text(meta.get("logo"), label=label, what="_InnerSourceMetadata.logo")
    if logo and not is_url(logo) and logo_base_url:
        logo = urljoin(logo_base_url.rstrip("/") + "/", logo.removeprefix("./"))
    url_or_note(
        entry,
        target="logo_url",
        value=logo,
        what="logo",
        hint=" (give --logo-base-url to resolve relative logos)",
    )

    stats = {
        "full_name": full_name,
        "default_branch": branch,
        "description": repo_description,
        "stars": count(item.get("stargazers_count"), label=label, what="stargazers_count"),
        "forks": count(item.get("forks_count"), label=label, what="forks_count"),
        # The score counts subscribers; GitHub's watchers_count is a mirror of the stars.
        "watchers": count(item.get("subscribers_count"), label=label, what="subscribers_count"),
        "open_issues": count(item.get("open_issues_count"), label=label, what="open_issues_count"),
        "license": repo_license,
        "topics": entry.fields["topics"],
        "participation": weekly_counts(
            meta.get("participation"), label=label, what="_InnerSourceMetadata.participation"
        ),
        "forge_created_at": timestamp(item.get("created_at"), label=label, what="created_at"),
        "forge_updated_at": timestamp(item.get("updated_at"), label=label, what="updated_at"),
        "forge_pushed_at": timestamp(item.get("pushed_at"), label=label, what="pushed_at"),
    }
    entry.repositories.append(RepositoryData(url=entry.key, forge=Forge.GITHUB, stats=stats))
    if note := crawler_score_note(item, meta):
        entry.notes.append(note)
    return entry
