"""``innersource.json`` files (SAP's listing format), one object or an array of them per file.

Besides the listed fields (title, motivation, contributions, skills, logo, docs, language) and those
SAP's crawlers add (topics, guidelines), this reads the portal's own JSON export: slug, description,
languages, lifecycle, license, business unit, repositories and communication channel (the keys are in
catalog.descriptors). Any other key is named in the entry's report line as ignored.
"""

from django.utils.text import slugify

from catalog.descriptors import INNERSOURCE_KEYS, PORTAL_FIGURES
from catalog.interop.records import (
    MAX_ENTRIES,
    BusinessUnitRef,
    ImportEntry,
    ImportFormatError,
    RepositoryData,
    Source,
    decode,
    is_url,
    load_json,
    text,
    url_or_note,
    words,
)
from catalog.interop.sap import guidelines_url
from catalog.models import Lifecycle
from catalog.repositories import forge_of, normalise_repository_url, repository_key

KNOWN_KEYS = frozenset(INNERSOURCE_KEYS)


def parse_innersource(files: list[tuple[str, bytes | str]]) -> list[ImportEntry]:
    """``files`` are (name, content) pairs; every object of every file becomes one entry."""
    entries: list[ImportEntry] = []
    seen: dict[str, str] = {}
    for name, data in files:
        loaded = load_json(decode(data, name=name), name=name)
        objects = loaded if isinstance(loaded, list) else [loaded]
        for position, item in enumerate(objects, start=1):
            label = f"{name} entry #{position}" if isinstance(loaded, list) else name
            entry = _entry(item, index=len(entries) + 1, label=label)
            if entry.key in seen:
                raise ImportFormatError(f"{entry.label}: {entry.key} is also described by {seen[entry.key]}.")
            seen[entry.key] = entry.label
            entries.append(entry)
            if len(entries) > MAX_ENTRIES:
                raise ImportFormatError(f"{name}: more than {MAX_ENTRIES} entries.")
    return entries


def _repository_urls(item: dict, *, label: str) -> list[str]:
    urls = []
    values = item.get("repositories")
    if values is not None and not isinstance(values, list):
        raise ImportFormatError(f"{label}: “repositories” must be a list of URLs.")
    for value in [item.get("repository"), *(values or [])]:
        url = text(value, label=label, what="repository")
        if not url:
            continue
        if not (is_url(url) or url.startswith(("ssh://", "git://", "git@"))):
            raise ImportFormatError(f"{label}: the repository “{url[:80]}” is not a repository URL.")
        urls.append(normalise_repository_url(url))
    return list(dict.fromkeys(urls))


def _entry(item, *, index: int, label: str) -> ImportEntry:
    if not isinstance(item, dict):
        raise ImportFormatError(f"{label}: an innersource.json holds a JSON object ({{ … }}).")
    if not KNOWN_KEYS & set(item):
        raise ImportFormatError(
            f"{label}: no innersource.json field found (expected title, motivation, contributions, skills…)."
        )
    urls = _repository_urls(item, label=label)
    title = text(item.get("title"), label=label, what="title", limit=120) or text(
        item.get("name"), label=label, what="name", limit=120
    )
    if not title and urls:
        title = urls[0].rpartition("/")[2][:120]
    if not title:
        raise ImportFormatError(f"{label}: “title” is missing (and there is no repository to name it after).")
    label = f"{label} ({title})"
    slug = text(item.get("slug"), label=label, what="slug")
    if slug and (slugify(slug) != slug or len(slug) > 120):
        raise ImportFormatError(f"{label}: “slug” must be lower-case letters, digits and hyphens.")
    entry = ImportEntry(
        index=index,
        label=label,
        source=Source.INNERSOURCE,
        key=repository_key(urls[0]) if urls else slug or slugify(title),
    )
    if not entry.key:
        raise ImportFormatError(f"{label}: give a repository URL or a slug to recognise the project by.")
    entry.slug = slug
    entry.fields["name"] = title
    motivation = text(item.get("motivation"), label=label, what="motivation")
    if "motivation" in item:
        entry.fields["motivation"] = motivation
    if "description" in item:
        description = text(item["description"], label=label, what="description", limit=300)
        entry.fields["description"] = description or title
    if "contributions" in item:
        entry.fields["contributions_wanted"] = "\n".join(
            words(item["contributions"], label=label, what="contributions")
        )
    if "skills" in item:
        entry.fields["skills_wanted"] = words(item["skills"], label=label, what="skills")
    if "topics" in item:
        entry.fields["topics"] = words(item["topics"], label=label, what="topics")
    if "languages" in item or "language" in item:
        entry.fields["languages"] = words(
            item.get("languages") if "languages" in item else item.get("language"),
            label=label,
            what="language",
        )
    if "lifecycle" in item:
        lifecycle = text(item["lifecycle"], label=label, what="lifecycle").lower()
        if lifecycle not in Lifecycle.values:
            raise ImportFormatError(
                f"{label}: “lifecycle” must be one of {', '.join(Lifecycle.values)}, not “{lifecycle}”."
            )
        entry.fields["lifecycle"] = lifecycle
    if "license" in item:
        entry.fields["license"] = text(item["license"], label=label, what="license", limit=80)
    if "communication" in item:
        entry.fields["communication_url"] = text(
            item["communication"], label=label, what="communication", limit=300
        )
    for key, target in (("docs", "docs_url"), ("logo", "logo_url")):
        if key in item:
            entry.fields[target] = ""
            url_or_note(entry, target=target, value=item[key], what=key)
    if "guidelines" in item:
        entry.fields["contributing_url"] = ""
        guidelines = text(item["guidelines"], label=label, what="guidelines")
        if guidelines and not is_url(guidelines) and urls and is_url(urls[0]):
            guidelines = guidelines_url(guidelines, html_url=urls[0], branch="")
        url_or_note(entry, target="contributing_url", value=guidelines, what="guidelines")
    unit = item.get("business_unit")
    if unit is not None:
        unit_slug = slugify(text(unit, label=label, what="business_unit"))[:120]
        unit_name = text(item.get("business_unit_name"), label=label, what="business_unit_name", limit=120)
        if unit_slug:
            entry.business_unit = BusinessUnitRef(slug=unit_slug, name=unit_name or unit.strip()[:120])
    entry.repositories = [_repository(url) for url in urls]
    ignored = [key for key in item if key not in KNOWN_KEYS and key not in PORTAL_FIGURES]
    if ignored:
        entry.notes.append(f"ignored (not an innersource.json key): {', '.join(ignored)}")
    return entry


def _repository(url: str) -> RepositoryData:
    return RepositoryData(url=url, forge=forge_of(url))
