"""The library of guides and templates: safe Markdown, templates filled in for a project, the starter kit.

Templates are GuideVersion bodies in Django's template language, rendered from a string by an engine of
their own with autoescaping off (the output is a plain file, not HTML) and no loaders (a template cannot
include files from the server). They see:

- `project.name`, `.slug`, `.description`, `.motivation`, `.license`, `.docs_url`, `.contributing_url`,
  `.communication_url`, `.contributions_wanted`, `.repository_url`, `.business_unit`,
  `.business_unit_slug`, `.source_location` ("url:<repository>" as Backstage wants it),
  `.backstage_lifecycle`, and the lists `.tags` (topics as Backstage tags), `.contributions` (one line each), `.skills_wanted`, `.topics`,
  `.languages`;
- `has.<field>`: whether the project gives that field (true for placeholders), to leave parts out;
- `owners` (owners and maintainers) and `trusted_committers` (lists of names), `code_owners` (the owners'
  and maintainers' logins on the project's forge, "@login", from their profiles); `communication_url`,
  `contributing_url`, `docs_url`, `repository_url`, `license` as short-hands; `year`.

How values are written depends on the file the template becomes:

- Text files (Markdown and the rest): values as they are; a list prints as "a, b, c" and can also be
  looped over. Without a project, or where the project leaves a field empty, a readable placeholder
  ("Your project", "(link to your documentation)") stands in so the person sees what to fill in.
- JSON and YAML files (`.json`, `.yaml`, `.yml`): every value is written as a complete, escaped literal
  — a JSON string or array, which YAML reads too — so a template places each placeholder where a whole
  value goes, without quotes: `"title": {{ project.name }}` or `name: {{ project.slug }}`. A project
  name with quotes, colons or newlines therefore cannot break the file. Empty fields stay empty ("" or
  []) so that the file still imports into the catalog. The output is parsed before it is returned, so
  a template edited into invalid JSON/YAML fails loudly instead of handing out a broken file.

Escaping at the value rather than building those two files from Python dicts keeps them editable and
versioned in the library like every other template.
"""

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import PurePosixPath

import yaml
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.safestring import SafeString
from django.utils.text import slugify

from catalog.markdown import markdown_render
from catalog.models import Forge, Lifecycle, Project, ProjectRole
from catalog.parsing import ParseError, load_json, load_yaml_documents, sentence
from community.models import Guide, GuideVersion

__all__ = [
    "LibraryError",
    "content_type_for",
    "render_markdown",
    "starter_kit_zip",
    "template_context",
    "template_render",
]

# ---------------------------------------------------------------------------------------------------
# Markdown


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML that is safe to put in a page, whoever wrote the Markdown (the portal's one
    sanitiser, catalog.markdown)."""
    return markdown_render(text)


# ---------------------------------------------------------------------------------------------------
# Templates


class LibraryError(ValueError):
    """A template that cannot be rendered into a usable file; the message says why."""


_ENGINE = Engine(loaders=[], autoescape=False, debug=False, string_if_invalid="")

_PLACEHOLDERS: dict[str, str | list[str]] = {
    "name": "Your project",
    "slug": "your-project",
    "description": "One sentence: what your project does and who it is for.",
    "motivation": "Why this project exists and why other teams should reuse it.",
    "license": "(your licence)",
    "docs_url": "(link to your documentation)",
    "contributing_url": "CONTRIBUTING.md",
    "communication_url": "(your team's chat channel)",
    "contributions_wanted": "(the help you are looking for)",
    "contributions": ["(the help you are looking for)"],
    "skills_wanted": ["(skills you need)"],
    "topics": ["(topics)"],
    "languages": ["(languages)"],
    "repository_url": "(link to your repository)",
    "business_unit": "(your business unit)",
    "business_unit_slug": "your-business-unit",
    "tags": ["your-topic"],
    "source_location": "url:(link to your repository)",
    "backstage_lifecycle": "experimental",
    "owners": ["(the project owners)"],
    "trusted_committers": ["(your trusted committers)"],
    "code_owners": ["@owner-forge-login"],
}
# The catalog's lifecycles in Backstage's vocabulary (experimental / production / deprecated).
_BACKSTAGE_LIFECYCLES = {
    Lifecycle.PROPOSED: "experimental",
    Lifecycle.INCUBATING: "experimental",
    Lifecycle.ACTIVE: "production",
    Lifecycle.MAINTAINED: "production",
    Lifecycle.DEPRECATED: "deprecated",
    Lifecycle.ARCHIVED: "deprecated",
}
_SHORTHANDS = ("communication_url", "contributing_url", "docs_url", "repository_url", "license")

CONTENT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".yaml": "application/yaml; charset=utf-8",
    ".yml": "application/yaml; charset=utf-8",
}


def _kind(filename: str) -> str:
    suffix = PurePosixPath(filename.lower()).suffix
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return "text"


def content_type_for(filename: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(filename.lower()).suffix, "text/plain; charset=utf-8")


def template_context(*, project: Project | None) -> dict:
    """The raw values templates see (strings and lists of strings); None gives the placeholders.

    A handful of queries per project; the starter kit builds this once for all its files.
    """
    if project is None:
        values = dict(_PLACEHOLDERS)
        owners, committers = values.pop("owners"), values.pop("trusted_committers")
        code_owners = values.pop("code_owners")
    else:
        roles = list(
            project.roles.select_related("user__practitioner").order_by("user__first_name", "user__username")
        )

        def names(*kinds: str) -> list[str]:
            people = [r.user for r in roles if r.role in kinds]
            unique = dict.fromkeys(u.get_full_name() or u.username for u in people)
            return list(unique)

        owners = names(*ProjectRole.EDITOR_ROLES)
        committers = names(ProjectRole.Role.TRUSTED_COMMITTER)
        repository = project.repositories.order_by("pk").first()
        code_owners = _code_owners(roles, forge=repository.forge if repository else Forge.GITHUB)
        values = {
            "name": project.name,
            "slug": project.slug,
            "description": project.description,
            "motivation": project.motivation,
            "license": project.license,
            "docs_url": project.docs_url,
            "contributing_url": project.contributing_url,
            "communication_url": project.communication_url,
            "contributions_wanted": project.contributions_wanted.strip(),
            "contributions": [
                line.strip(" -*\t")
                for line in project.contributions_wanted.splitlines()
                if line.strip(" -*\t")
            ],
            "skills_wanted": [str(s) for s in project.skills_wanted or [] if str(s).strip()],
            "topics": [t.name for t in project.topics.all()],
            "languages": [language.name for language in project.languages.all()],
            "repository_url": repository.url if repository else "",
            "business_unit": project.business_unit.name,
            "business_unit_slug": project.business_unit.slug,
        }
        tags = dict.fromkeys(slugify(topic).replace("_", "-") for topic in values["topics"])
        values["tags"] = [tag for tag in tags if tag]
        web = values["repository_url"].startswith(("https://", "http://"))
        values["source_location"] = f"url:{values['repository_url']}" if web else ""
        values["backstage_lifecycle"] = _BACKSTAGE_LIFECYCLES.get(project.lifecycle, "experimental")
    context = {
        "project": values,
        "owners": owners,
        "trusted_committers": committers,
        "code_owners": code_owners,
    }
    context.update({key: values[key] for key in _SHORTHANDS})
    context["year"] = str(datetime.now(UTC).year)
    context["_has_project"] = project is not None
    return context


def _code_owners(roles: list[ProjectRole], *, forge: str) -> list[str]:
    """The owners' and maintainers' logins on the project's forge, as CODEOWNERS names people (@login),
    from their profiles; those who gave none are left for the person to add."""
    field = "gitlab_username" if forge == Forge.GITLAB else "github_login"
    logins = [
        getattr(getattr(role.user, "practitioner", None), field, "")
        for role in roles
        if role.role in ProjectRole.EDITOR_ROLES
    ]
    return [f"@{login}" for login in dict.fromkeys(logins) if login]


class _Joined(list):
    """A list that prints as "a, b, c" in a text file and can still be looped over."""

    def __str__(self) -> str:
        return ", ".join(str(item) for item in self)


def _json_literal(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _yaml_literal(value) -> str:
    # Double-quoted, one line, whatever the content: PyYAML escapes quotes, newlines and the characters
    # YAML does not allow raw. A list becomes a flow sequence of such strings.
    text = yaml.safe_dump(
        value, default_style='"', default_flow_style=True, allow_unicode=True, width=2**31
    ).strip()
    return text.removesuffix("...").strip()


def _encode(value, *, kind: str, placeholder, has_project: bool):
    if kind == "text":
        if not value and has_project and placeholder is not None:
            value = placeholder  # a README the person finishes: show what is missing
        return _Joined(value) if isinstance(value, list) else value
    literal = _json_literal if kind == "json" else _yaml_literal
    return literal(value)


def _encoded_context(values: dict, *, kind: str) -> dict:
    has_project = values["_has_project"]
    project = {
        key: _encode(value, kind=kind, placeholder=_PLACEHOLDERS.get(key), has_project=has_project)
        for key, value in values["project"].items()
    }
    context = {"project": project}
    for key in ("owners", "trusted_committers", "code_owners", *_SHORTHANDS):
        context[key] = _encode(
            values[key], kind=kind, placeholder=_PLACEHOLDERS.get(key), has_project=has_project
        )
    # Whether a value is there, unencoded, for `{% if has.docs_url %}` (an encoded "" is truthy text).
    context["has"] = {key: bool(value) for key, value in values["project"].items()}
    context["year"] = _encode(values["year"], kind=kind, placeholder=None, has_project=has_project)
    return context


# A rendered template is a small file: the checks parse it with the bounded loaders every parse uses.
TEMPLATE_MAX_YAML_NODES = 20_000


def _check(output: str, *, kind: str, filename: str) -> None:
    try:
        if kind == "json":
            load_json(output)
        elif kind == "yaml":
            load_yaml_documents(output, max_nodes=TEMPLATE_MAX_YAML_NODES)
    except ParseError as error:
        raise LibraryError(
            f"The template for {filename} does not produce valid {kind.upper()}: {sentence(error)}"
        ) from error


def template_render(*, version: GuideVersion, project: Project | None, values: dict | None = None) -> str:
    """The file a template version becomes for a project (placeholders without one).

    `values` (from template_context) lets a caller rendering several templates query the project once.
    """
    filename = version.guide.filename or version.guide.slug
    kind = _kind(filename)
    values = values if values is not None else template_context(project=project)
    try:
        template = _ENGINE.from_string(version.body)
    except TemplateSyntaxError as error:
        raise LibraryError(f"The template for {filename} has a syntax error: {error}") from error
    output = template.render(Context(_encoded_context(values, kind=kind), autoescape=False))
    _check(output, kind=kind, filename=filename)
    return output


def download_name(guide: Guide) -> str:
    """The name the downloaded file gets: the last part of its path (`.github/X.md` → `X.md`)."""
    return PurePosixPath(guide.filename).name or f"{guide.slug}.txt"


def _archive_path(filename: str) -> str:
    # Filenames are edited in the admin: never let one climb out of the archive or start at its root.
    path = PurePosixPath(filename.strip().lstrip("/"))
    if not path.parts or any(part in ("..", ".") for part in path.parts):
        raise LibraryError(f"“{filename}” is not a usable path inside the starter kit.")
    return str(path)


def kit_templates() -> list[tuple[Guide, GuideVersion]]:
    """The starter kit's templates with their latest versions, in library order (two queries)."""
    guides = list(Guide.objects.filter(kind=Guide.Kind.TEMPLATE, in_starter_kit=True).exclude(filename=""))
    latest: dict[int, GuideVersion] = {}
    for version in GuideVersion.objects.filter(guide__in=guides).order_by("guide_id", "-version"):
        latest.setdefault(version.guide_id, version)
    pairs = []
    for guide in guides:
        if guide.pk in latest:
            latest[guide.pk].guide = guide  # already loaded: spare template_render a query each
            pairs.append((guide, latest[guide.pk]))
    return pairs


def starter_kit_zip(*, project: Project | None) -> bytes:
    """A zip of every starter-kit template rendered for the project, each at its filename's path."""
    values = template_context(project=project)
    buffer = io.BytesIO()
    stamp = datetime.now(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for guide, version in kit_templates():
            info = zipfile.ZipInfo(_archive_path(guide.filename), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, template_render(version=version, project=project, values=values))
    return buffer.getvalue()
