"""Read a project's self-description: SAP's `innersource.json` or a Backstage `catalog-info.yaml`.

Both give initial values for the registration form, and say what of the file they leave out; nothing
is written here.
"""

import re

from catalog.models import REGISTRABLE_LIFECYCLES, Lifecycle
from catalog.parsing import Malformed, ParseError, load_json, load_yaml_documents, sentence

MAX_DESCRIPTOR_BYTES = 256 * 1024
# A catalog-info.yaml describes a few entities of a few dozen values each; what its aliases may stand
# for is a fraction of that.
MAX_DESCRIPTOR_YAML_NODES = 5_000
MAX_DESCRIPTOR_ALIAS_NODES = 1_000
BACKSTAGE_NAME_RE = re.compile(r"^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$")
BACKSTAGE_LIFECYCLES = {
    "experimental": Lifecycle.INCUBATING,
    "production": Lifecycle.ACTIVE,
    "deprecated": Lifecycle.DEPRECATED,
}
PROJECT_KINDS = ("Component", "System", "API", "Resource")


# The keys of an innersource.json, by who writes them. SAP's portal documents the file's own
# (docs/LISTING.md: title, motivation, contributions, skills, logo, docs, language); its crawlers add the
# repository's topics and guidelines beside them (docs/CRAWLING.md); the portal's JSON export writes the
# rest, which `import_catalog --format innersource` reads back ("name" is a common spelling of "title").
SAP_LISTING_KEYS = ("title", "motivation", "contributions", "skills", "logo", "docs", "language")
SAP_CRAWLER_KEYS = ("topics", "guidelines")
PORTAL_KEYS = (
    "name",
    "slug",
    "description",
    "languages",
    "repository",
    "repositories",
    "lifecycle",
    "license",
    "communication",
    "business_unit",
    "business_unit_name",
)
INNERSOURCE_KEYS = SAP_LISTING_KEYS + SAP_CRAWLER_KEYS + PORTAL_KEYS
# The portal's own figures in its JSON export: no file sets them (the score is computed, the program
# office curates), so an import passes over them without a word.
PORTAL_FIGURES = ("activity_score", "featured", "verified", "portal_url")
# What the registration form takes: every key with a field on the form. The slug comes from the name
# and the host unit is chosen on the form.
REGISTRATION_KEYS = frozenset(INNERSOURCE_KEYS) - {"slug", "business_unit", "business_unit_name"}
# What the registration form takes of a Backstage entity, by section.
BACKSTAGE_READ = {
    "metadata": {"name", "title", "description", "tags", "annotations", "links"},
    "spec": {"lifecycle"},
}


class DescriptorError(ValueError):
    """A descriptor that cannot be read; the message says what is wrong, for the person who sent it."""


class Descriptor(dict):
    """The registration form's initial values from a descriptor (a dict, as a form's `initial` is),
    with what the file held that they leave out: the keys not read (`ignored`, as the file spells
    them) and the values not kept (`notes`, one sentence each), so that the page can say so."""

    def __init__(self, initial: dict, *, ignored: list[str], notes: list[str]):
        super().__init__(initial)
        self.ignored = ignored
        self.notes = notes

    def warnings(self, *, most: int = 30) -> list[str]:
        """What the page tells the person: the keys not read (the first `most` of them), then the notes."""
        said = []
        if self.ignored:
            keys = ", ".join(f"“{key[:60]}”" for key in self.ignored[:most])
            more = f" and {len(self.ignored) - most} more" if len(self.ignored) > most else ""
            said.append(f"Not read from your file (the form has no place for them): {keys}{more}.")
        return said + [f"From your file: {note}" for note in self.notes]


def _message(error: ParseError) -> str:
    """For the person: "This is not valid JSON: …" for malformed text, else the refusal as a sentence."""
    return f"This is {error}." if isinstance(error, Malformed) else sentence(error)


def _strings(value, *, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    raise DescriptorError(f"“{field}” must be a list of words.")


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DescriptorError(f"“{key}” must be text.")
    return value.strip()


def _is_web_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and " " not in value


def _repository_urls(data: dict) -> list[str]:
    repositories = data.get("repositories")
    if repositories is not None and not (
        isinstance(repositories, list) and all(isinstance(url, str) for url in repositories)
    ):
        raise DescriptorError("“repositories” must be a list of repository URLs.")
    urls = [_text(data, "repository"), *(url.strip() for url in repositories or [])]
    return list(dict.fromkeys(url for url in urls if url))


def parse_innersource_json(text: str) -> Descriptor:
    """The form's values from an innersource.json: SAP's documented keys, the guidelines and topics its
    crawlers add, and the portal's own export's (see REGISTRATION_KEYS); the rest is listed as ignored."""
    if len(text.encode()) > MAX_DESCRIPTOR_BYTES:
        raise DescriptorError("The file is larger than 256 KB; an innersource.json is a few lines.")
    try:
        data = load_json(text)
    except ParseError as error:
        raise DescriptorError(_message(error)) from error
    if not isinstance(data, dict):
        raise DescriptorError("An innersource.json holds one JSON object ({ … }).")
    if not set(INNERSOURCE_KEYS) & set(data):
        raise DescriptorError(
            "No innersource.json field found (expected title, motivation, contributions, skills…)."
        )
    initial: dict = {}
    notes: list[str] = []
    name = _text(data, "title") or _text(data, "name")
    if name:
        initial["name"] = name
    for key, target in (
        ("description", "description"),
        ("motivation", "motivation"),
        ("license", "license"),
        ("communication", "communication_url"),
    ):
        if data.get(key) is not None:
            initial[target] = _text(data, key)
    contributions = _strings(data.get("contributions"), field="contributions")
    if contributions:
        initial["contributions_wanted"] = "\n".join(contributions)
    skills = _strings(data.get("skills"), field="skills")
    if skills:
        initial["skills_wanted"] = ", ".join(skills)
    topics = _strings(data.get("topics"), field="topics")
    if topics:
        initial["topics"] = ", ".join(topics)
    # SAP's "language" is one name that overrides the forge's guess; the portal's export lists them all.
    key = "languages" if "languages" in data else "language"
    languages = _strings(data.get(key), field=key)
    if languages:
        initial["languages"] = ", ".join(languages)
    lifecycle = _text(data, "lifecycle").lower()
    if lifecycle in REGISTRABLE_LIFECYCLES:
        initial["lifecycle"] = lifecycle
    elif lifecycle:
        offered = ", ".join(REGISTRABLE_LIFECYCLES)
        notes.append(
            f"lifecycle “{lifecycle[:40]}” is not one a project registers with ({offered}): not kept."
        )
    urls = _repository_urls(data)
    if urls:
        initial["repository_urls"] = "\n".join(urls)
    for key, target in (("docs", "docs_url"), ("logo", "logo_url")):
        value = _text(data, key)
        if _is_web_url(value):
            initial[target] = value
        elif key == "logo" and value:
            notes.append(
                f"logo “{value[:80]}” is a path in your repository: give the logo's http(s) address below."
            )
        elif value:
            notes.append(f"{key} “{value[:80]}” is not an http(s) URL: not kept.")
    guidelines = _text(data, "guidelines")
    web_repositories = [url for url in urls if _is_web_url(url)]
    if guidelines and not _is_web_url(guidelines) and web_repositories:
        # A path in the repository, as SAP's crawlers write it: the import's one rule makes it a URL.
        from catalog.interop.sap import guidelines_url  # catalog.interop imports this module

        guidelines = guidelines_url(guidelines, html_url=web_repositories[0].removesuffix(".git"), branch="")
    if _is_web_url(guidelines):
        initial["contributing_url"] = guidelines
    elif guidelines:
        notes.append(
            f"guidelines “{guidelines[:80]}” is a path with no repository to find it in: give its URL below."
        )
    ignored = [key for key in data if key not in REGISTRATION_KEYS]
    return Descriptor(initial, ignored=ignored, notes=notes)


def parse_catalog_info_yaml(text: str) -> Descriptor:
    """The fields of the first Component, System, API or Resource in a Backstage catalog-info.yaml."""
    if len(text.encode()) > MAX_DESCRIPTOR_BYTES:
        raise DescriptorError("The file is larger than 256 KB.")
    try:
        documents = [
            d
            for d in load_yaml_documents(
                text, max_nodes=MAX_DESCRIPTOR_YAML_NODES, max_alias_nodes=MAX_DESCRIPTOR_ALIAS_NODES
            )
            if d is not None
        ]
    except ParseError as error:
        raise DescriptorError(_message(error)) from error
    entity = next((d for d in documents if isinstance(d, dict) and d.get("kind") in PROJECT_KINDS), None)
    if entity is None:
        raise DescriptorError("No Component, System, API or Resource entity found in this catalog-info.yaml.")
    metadata = entity.get("metadata") or {}
    spec = entity.get("spec") or {}
    if not isinstance(metadata, dict) or not isinstance(spec, dict):
        raise DescriptorError("“metadata” and “spec” must be mappings.")
    name = str(metadata.get("name", "")).strip()
    if not name:
        raise DescriptorError("metadata.name is missing.")
    if len(name) > 63 or not BACKSTAGE_NAME_RE.match(name):
        raise DescriptorError(
            f"metadata.name “{name}” is not a valid Backstage name: use letters, digits and single "
            "- _ . between them, at most 63 characters."
        )
    initial: dict = {"name": str(metadata.get("title") or name).strip()}
    notes: list[str] = []
    if metadata.get("description"):
        initial["description"] = str(metadata["description"]).strip()[:300]
    tags = _strings(metadata.get("tags"), field="metadata.tags")
    if tags:
        initial["topics"] = ", ".join(tags)
    lifecycle = BACKSTAGE_LIFECYCLES.get(str(spec.get("lifecycle", "")).lower())
    if lifecycle in REGISTRABLE_LIFECYCLES:
        initial["lifecycle"] = lifecycle
    elif lifecycle:
        notes.append(f"spec.lifecycle “{lifecycle}” is not one a project registers with: not kept.")
    annotations = metadata.get("annotations") or {}
    urls = []
    if isinstance(annotations, dict):
        slug = annotations.get("github.com/project-slug")
        if isinstance(slug, str) and "/" in slug:
            urls.append(f"https://github.com/{slug.strip()}")
        gitlab = annotations.get("gitlab.com/project-slug")
        if isinstance(gitlab, str) and "/" in gitlab:
            urls.append(f"https://gitlab.com/{gitlab.strip()}")
        source = annotations.get("backstage.io/source-location")
        if isinstance(source, str) and source.startswith("url:"):
            urls.append(source[len("url:") :].split("/tree/")[0].split("/blob/")[0])
    if urls:
        initial["repository_urls"] = "\n".join(dict.fromkeys(urls))
    for link in metadata.get("links") or []:
        if isinstance(link, dict) and isinstance(link.get("url"), str):
            title = str(link.get("title", "")).lower()
            if "doc" in title and "docs_url" not in initial:
                initial["docs_url"] = link["url"]
            elif (
                "chat" in title or "slack" in title or "channel" in title
            ) and "communication_url" not in initial:
                initial["communication_url"] = link["url"]
    ignored = [str(key) for key in entity if key not in {"apiVersion", "kind", "metadata", "spec"}]
    for section, keys in BACKSTAGE_READ.items():
        ignored += [f"{section}.{key}" for key in entity.get(section) or {} if key not in keys]
    return Descriptor(initial, ignored=ignored, notes=notes)


def parse_descriptor(text: str) -> Descriptor:
    """Either format, recognised by its content."""
    stripped = text.lstrip()
    if not stripped:
        raise DescriptorError("The descriptor is empty.")
    if stripped.startswith("{"):
        return parse_innersource_json(text)
    return parse_catalog_info_yaml(text)
