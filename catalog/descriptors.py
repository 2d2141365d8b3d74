"""Read a project's self-description: SAP's `innersource.json` or a Backstage `catalog-info.yaml`.

Both give initial values for the registration form; nothing is written here.
"""

import re

from catalog.models import Lifecycle
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


class DescriptorError(ValueError):
    """A descriptor that cannot be read; the message says what is wrong, for the person who sent it."""


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


def parse_innersource_json(text: str) -> dict:
    """The fields of an innersource.json (title, motivation, contributions, skills, docs, logo, language)."""
    if len(text.encode()) > MAX_DESCRIPTOR_BYTES:
        raise DescriptorError("The file is larger than 256 KB; an innersource.json is a few lines.")
    try:
        data = load_json(text)
    except ParseError as error:
        raise DescriptorError(_message(error)) from error
    if not isinstance(data, dict):
        raise DescriptorError("An innersource.json holds one JSON object ({ … }).")
    known = {
        "title",
        "name",
        "description",
        "motivation",
        "contributions",
        "skills",
        "docs",
        "logo",
        "language",
        "topics",
        "guidelines",
        "repository",
    }
    if not known & set(data):
        raise DescriptorError(
            "No innersource.json field found (expected title, motivation, contributions, skills…)."
        )
    initial: dict = {}
    for key in ("title", "name"):
        if isinstance(data.get(key), str) and data[key].strip():
            initial["name"] = data[key].strip()
            break
    for key, target in (("description", "description"), ("motivation", "motivation")):
        if data.get(key) is not None:
            if not isinstance(data[key], str):
                raise DescriptorError(f"“{key}” must be text.")
            initial[target] = data[key].strip()
    contributions = _strings(data.get("contributions"), field="contributions")
    if contributions:
        initial["contributions_wanted"] = "\n".join(contributions)
    skills = _strings(data.get("skills"), field="skills")
    if skills:
        initial["skills_wanted"] = ", ".join(skills)
    topics = _strings(data.get("topics"), field="topics")
    if topics:
        initial["topics"] = ", ".join(topics)
    languages = _strings(data.get("language"), field="language")
    if languages:
        initial["languages"] = ", ".join(languages)
    for key, target in (
        ("docs", "docs_url"),
        ("logo", "logo_url"),
        ("guidelines", "contributing_url"),
        ("repository", "repository_urls"),
    ):
        value = data.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            initial[target] = value.strip()
    return initial


def parse_catalog_info_yaml(text: str) -> dict:
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
    if metadata.get("description"):
        initial["description"] = str(metadata["description"]).strip()[:300]
    tags = _strings(metadata.get("tags"), field="metadata.tags")
    if tags:
        initial["topics"] = ", ".join(tags)
    lifecycle = BACKSTAGE_LIFECYCLES.get(str(spec.get("lifecycle", "")).lower())
    if lifecycle:
        initial["lifecycle"] = lifecycle
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
    return initial


def parse_descriptor(text: str) -> dict:
    """Either format, recognised by its content."""
    stripped = text.lstrip()
    if not stripped:
        raise DescriptorError("The descriptor is empty.")
    if stripped.startswith("{"):
        return parse_innersource_json(text)
    return parse_catalog_info_yaml(text)
