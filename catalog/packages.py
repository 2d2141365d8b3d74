"""Package coordinates of assets, as Package URLs (purl, https://github.com/package-url/purl-spec), and
what a person pastes to use one: `install_snippet`. Parsing and validation are packageurl-python's.

The purl types the portal reads, and why:
- npm, pypi, maven, golang, docker, oci and github are types of the purl specification that the
  library knows (its packageurl.validate.DEFINITIONS_BY_TYPE).
- A GitHub Action is written with the specification's `github` type: `pkg:github/acme/setup-build`
  (an action in a folder of the repository as the subpath: `pkg:github/acme/actions#setup-build`; a
  reusable workflow as its file: `pkg:github/acme/ci#.github/workflows/build.yml`). A `pkg:github` asset
  is taken to be an action, since that is what one uses from a repository by its coordinates. GitHub's
  dependency graph writes `pkg:githubactions/...`, a type proposed to the specification but not in it:
  it is read as well (same snippet), so that an import or an SBOM carrying it is not refused.
- Terraform modules have no type in the specification (nor in the library); a `terraform` type is
  proposed (purl-spec pull request 889, open). The portal reads `pkg:terraform/<path>` where the path
  is the module's registry source address: `pkg:terraform/acme/network/aws` is `source =
  "acme/network/aws"` (namespace/name/provider); a private registry's host goes in the standard
  `repository_url` qualifier (the proposal's examples also write `registry_url`: both are read).
- GitLab has no type in the specification either (proposed in purl-spec issue 697; the library's own
  url2purl already writes `pkg:gitlab/...`). A GitLab CI include is `pkg:gitlab/<group>/<project>`
  with the subpath naming what to include: a YAML file (`#templates/build.yml`, an `include:project`)
  or else a CI/CD component (`#build`, an `include:component`).
- A module or anything else taken straight from a git repository on a host that is not GitHub or GitLab
  (a self-hosted Gitea, Bitbucket, a plain git server) has no registry and no type of its own: the
  specification's `generic` type is for such packages ("handy for a plain version control repository
  such as a bare git repo in combination with a vcs_url"), and its standard `vcs_url` qualifier, in
  SPDX's VCS form `git+<url>`, says which repository: `pkg:generic/terraform-modules?vcs_url=
  git%2Bhttps://git.acme.example/platform/terraform-modules.git#vpc` (the folder as the subpath). The
  repository is what identifies it, so package_key keeps that qualifier (alone, as the repository's
  transport-free address: ssh, scp-like and https URLs of one repository are one package). A repository
  on GitHub or GitLab is written with their types (pkg:github/…, pkg:gitlab/…), as the sync finds it.
Any other type the library defines is accepted and kept (an asset may be a NuGet or a Cargo package),
without an install snippet; a type neither defines is refused as a likely typo.
"""

import json
import re
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

from django.core.exceptions import ValidationError
from packageurl import PackageURL
from packageurl.validate import DEFINITIONS_BY_TYPE
from packaging.utils import canonicalize_name

from catalog.git_urls import SCP_URL_RE, repository_address

# Types outside the purl specification that the portal reads (see the module's docstring).
PORTAL_TYPES = {"terraform", "gitlab", "githubactions"}
EXAMPLE = "pkg:npm/%40acme/design-tokens or pkg:pypi/acme-retry"
HELP_TEXT = (
    "The package's coordinates as a Package URL, for the install snippet: pkg:npm/%40acme/design-tokens, "
    "pkg:pypi/acme-retry, pkg:maven/com.acme/ledger-client, pkg:golang/git.acme.example/platform/auth, "
    "pkg:docker/acme/base-python, pkg:terraform/acme/network/aws, pkg:github/acme/setup-build (an action), "
    "pkg:gitlab/acme/ci-templates#templates/build.yml (a CI include), "
    "pkg:generic/modules?vcs_url=git%2Bhttps://git.acme.example/platform/modules.git#vpc (a module in a git "
    "repository elsewhere). Without a version: the latest release is used."
)
MAX_LENGTH = 300
# SPDX's VCS URL: the tool, "+", then the URL (git+https://…, git+ssh://…, git+git@host:path).
_VCS_TOOL = re.compile(r"^(?P<tool>[a-z][a-z0-9]*)\+(?P<url>.+)$", re.IGNORECASE)
VCS_EXAMPLE = (
    "pkg:generic/terraform-modules?vcs_url=git%2Bhttps://git.acme.example/platform/terraform-modules.git"
)


def package_url_clean(value: str) -> str:
    """A purl as the portal stores it (canonical: `pkg:npm/%40acme/design-tokens` for
    `pkg:npm/@acme/design-tokens`), "" for nothing. Raises ValidationError saying what is wrong."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        purl = PackageURL.from_string(value)
    except ValueError as error:
        raise ValidationError(
            f"Not a Package URL ({error}). Expected “pkg:<type>/<name>”, e.g. {EXAMPLE}.",
            code="invalid",
        ) from error
    if purl.type in DEFINITIONS_BY_TYPE:
        errors = [m.message for m in purl.validate() if m.severity.value == "error"]
        if errors:
            raise ValidationError(
                f"Not a valid Package URL of type “{purl.type}”: {'; '.join(errors)}.", code="invalid"
            )
        if purl.type == "generic" and "vcs_url" in (purl.qualifiers or {}):
            _vcs_url_check(purl.qualifiers["vcs_url"])
    elif purl.type not in PORTAL_TYPES:
        raise ValidationError(
            f"Unknown package type “{purl.type}”: expected one of npm, pypi, maven, golang, docker, oci, "
            f"github, terraform, gitlab (or another type of the purl specification), e.g. {EXAMPLE}.",
            code="invalid",
        )
    elif not purl.namespace:  # the portal's own types all name an owner
        raise ValidationError(
            f"A “{purl.type}” Package URL names an owner and a name: e.g. "
            + {
                "terraform": "pkg:terraform/acme/network/aws.",
                "gitlab": "pkg:gitlab/acme/ci-templates#templates/build.yml.",
                "githubactions": "pkg:githubactions/acme/setup-build.",
            }[purl.type],
            code="invalid",
        )
    canonical = purl.to_string()
    if len(canonical) > MAX_LENGTH:
        raise ValidationError(f"At most {MAX_LENGTH} characters.", code="max_length")
    return canonical


def _vcs_url_check(vcs_url: str) -> None:
    """Refuse a generic purl's vcs_url that is not SPDX's <tool>+<url>, a git one that names no repository
    on a host, or one carrying a password (the package URL is shown to every reader)."""
    tool = _VCS_TOOL.match(vcs_url)
    if not tool:
        raise ValidationError(f"The vcs_url is written “<tool>+<url>”, e.g. {VCS_EXAMPLE}.", code="invalid")
    # Whatever the tool (hg+https://user:secret@… too): the purl is shown to every reader. Over http(s)
    # a user part alone is a token as often as a name (https://ghp_…@host/…); ssh's "git@" is no secret.
    try:
        parts = urlsplit(tool["url"]) if "://" in tool["url"] else None
        secret = parts is not None and (
            parts.password is not None
            or (parts.scheme.lower() in ("http", "https") and parts.username is not None)
        )
    except ValueError:
        secret = False
    if secret:
        raise ValidationError(
            "The vcs_url carries a user name, password or token: it would be shown to every reader; leave "
            "it out (an ssh address's git@ may stay).",
            code="invalid",
        )
    if tool["tool"].lower() == "git" and not git_repository(vcs_url)[0]:
        raise ValidationError(
            f"The vcs_url names no git repository on a host: e.g. {VCS_EXAMPLE}.", code="invalid"
        )


def git_repository(vcs_url: str) -> tuple[str, str]:
    """(repository, folder) of a git VCS URL as SPDX writes it, `git+<url>[@<revision>][#<folder>]`:
    the repository as catalog.git_urls.repository_address writes it, the folder without slashes; ("", "")
    for what is no git URL naming a repository on a host."""
    tool = _VCS_TOOL.match(vcs_url.strip())
    if not tool or tool["tool"].lower() != "git":
        return "", ""
    url, _, folder = tool["url"].partition("#")
    # The revision follows the path; an "@" before the path is a user's (git@host).
    if "://" in url:
        path_start = url.find("/", url.index("://") + 3)
    else:
        scp = SCP_URL_RE.match(url)
        path_start = scp.start("path") if scp else -1
    if path_start >= 0 and "@" in url[path_start:]:
        url = url[:path_start] + url[path_start:].rpartition("@")[0]
    return repository_address(url), folder.strip("/")


def validate_package_url(value: str) -> None:
    """The model field's validator (the form and the API clean with package_url_clean)."""
    package_url_clean(value)


# --- install snippets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """What to paste, and how the page labels it."""

    label: str  # the ecosystem, for people: "npm", "Maven", "GitHub Actions"
    hint: str  # where it goes: "Run in your project:"
    language: str  # of the text, for the <code> element's class: shell, xml, hcl, yaml
    text: str
    version: str | None  # the version the text pins, as written there; None: none pinned


# A plain YAML scalar that no YAML reader takes for a number, a boolean or null (it has a slash).
_YAML_PLAIN = re.compile(r"^[A-Za-z0-9_.~$-]+/[A-Za-z0-9_./@~$-]+$")


def _yaml(value: str) -> str:
    return value if _YAML_PLAIN.match(value) else json.dumps(value)


def _hcl(value: str) -> str:
    """An HCL quoted string: JSON's escapes, and no template interpolation."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _identifier(value: str, default: str) -> str:
    """An HCL block label or a workflow job id: letters, digits, _ and -, starting with a letter or _."""
    value = re.sub(r"[^A-Za-z0-9_-]+", "_", value).strip("_-")
    return value if value and (value[0].isalpha() or value[0] == "_") else default


def plain_version(tag: str) -> str:
    """A release tag as a package version: `v1.2.0` and `1.2.0` are 1.2.0; a monorepo's tag
    `@acme/design-tokens@1.2.0` (changesets) or `design-tokens@1.2.0` is 1.2.0 as well."""
    tag = tag.strip()
    if "@" in tag.lstrip("@"):
        tag = tag.rpartition("@")[2]
    return tag[1:] if len(tag) > 1 and tag[0] in "vV" and tag[1].isdigit() else tag


def _host(url: str) -> str:
    """A registry given as a URL or a host, as image references and module sources write it."""
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.IGNORECASE).rstrip("/")


def install_snippet(*, package_url: str, version: str | None) -> Snippet | None:
    """What a user pastes to use the package `package_url` (a purl): a command or lines for a build file.

    `version` is a release tag (`v1.2.0` or `1.2.0`) or a version: each ecosystem gets it as its tools
    write it (npm, PyPI, Maven, container images and Terraform without a leading v, Go with one, GitHub
    Actions and GitLab includes the tag itself, a git reference). None: the purl's own version if it has
    one, else nothing is pinned (a GitHub Action, which needs a reference, gets the branch main).
    None for a purl that does not parse or of a type without a snippet."""
    try:
        purl = PackageURL.from_string(package_url)
    except ValueError:
        return None
    tag = version or purl.version or None
    builder = _BUILDERS.get(purl.type)
    return builder(purl, tag) if builder else None


def _npm(purl: PackageURL, tag: str | None) -> Snippet:
    name = f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
    v = plain_version(tag) if tag else None
    words = ["npm", "install", f"{name}@{v}" if v else name]
    if registry := (purl.qualifiers or {}).get("repository_url"):
        words.append(f"--registry={registry}")
    return Snippet("npm", "Run in your project:", "shell", shlex.join(words), v)


def _pypi(purl: PackageURL, tag: str | None) -> Snippet:
    v = plain_version(tag) if tag else None
    words = ["pip", "install"]
    if index := (purl.qualifiers or {}).get("repository_url"):
        words += ["--index-url", index]
    words.append(f"{purl.name}=={v}" if v else purl.name)
    return Snippet("PyPI", "Run in your environment:", "shell", shlex.join(words), v)


def _maven(purl: PackageURL, tag: str | None) -> Snippet:
    v = plain_version(tag) if tag else None
    qualifiers = purl.qualifiers or {}
    lines = [
        "<dependency>",
        f"  <groupId>{xml_escape(purl.namespace or '')}</groupId>",
        f"  <artifactId>{xml_escape(purl.name)}</artifactId>",
    ]
    if v:
        lines.append(f"  <version>{xml_escape(v)}</version>")
    for key in ("type", "classifier"):
        if qualifiers.get(key):
            lines.append(f"  <{key}>{xml_escape(qualifiers[key])}</{key}>")
    lines.append("</dependency>")
    return Snippet("Maven", "Add to the <dependencies> of your pom.xml:", "xml", "\n".join(lines), v)


def _golang(purl: PackageURL, tag: str | None) -> Snippet:
    path = "/".join(part for part in (purl.namespace, purl.name, purl.subpath) if part)
    v = None
    if tag:
        plain = plain_version(tag)
        # Go writes semantic versions with a v; any other tag is a query go get resolves as it is.
        v = f"v{plain}" if plain[:1].isdigit() else tag
    return Snippet(
        "Go", "Run in your module:", "shell", shlex.join(["go", "get", f"{path}@{v}" if v else path]), v
    )


def _image(reference: str, tag: str | None) -> Snippet:
    v = plain_version(tag) if tag else None
    if v:
        reference += f"@{v}" if v.startswith("sha256:") else f":{v}"
    return Snippet(
        "Container image", "Pull the image:", "shell", shlex.join(["docker", "pull", reference]), v
    )


def _docker(purl: PackageURL, tag: str | None) -> Snippet:
    name = f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
    registry = (purl.qualifiers or {}).get("repository_url")
    return _image(f"{_host(registry)}/{name}" if registry else name, tag)


def _oci(purl: PackageURL, tag: str | None) -> Snippet:
    # An OCI purl's version is the image digest; the repository (host and path) is a qualifier.
    qualifiers = purl.qualifiers or {}
    repository = qualifiers.get("repository_url")
    reference = _host(repository) if repository else purl.name
    if tag == purl.version and qualifiers.get("tag"):
        tag = qualifiers["tag"]  # no release: the purl's tag rather than its digest
    return _image(reference, tag)


def _terraform(purl: PackageURL, tag: str | None) -> Snippet:
    segments = [*(purl.namespace or "").split("/"), purl.name]
    qualifiers = purl.qualifiers or {}
    registry = qualifiers.get("repository_url") or qualifiers.get("registry_url")
    source = "/".join(segments)
    if registry:
        source = f"{_host(registry)}/{source}"
    if purl.subpath:
        source += f"//{purl.subpath}"
    # The registry address is namespace/name/provider: the block is named after the module's name.
    label = _identifier(segments[1] if len(segments) == 3 else segments[-1], "module")
    v = plain_version(tag) if tag else None
    lines = [f'module "{label}" {{', f"  source  = {_hcl(source)}"]
    if v:
        lines.append(f"  version = {_hcl(v)}")
    lines.append("}")
    return Snippet("Terraform module", "Add to your Terraform configuration:", "hcl", "\n".join(lines), v)


def _github_action(purl: PackageURL, tag: str | None) -> Snippet:
    path = "/".join(part for part in (purl.namespace, purl.name, purl.subpath) if part)
    ref = tag or "main"
    uses = f"{path}@{ref}"
    if re.search(r"(^|/)\.github/workflows/[^/]+\.ya?ml$", purl.subpath or path):
        job = _identifier(path.rpartition("/")[2].rsplit(".", 1)[0], "reuse")
        text = f"jobs:\n  {job}:\n    uses: {_yaml(uses)}"
        return Snippet("GitHub Actions", "Call it from a workflow in .github/workflows/:", "yaml", text, tag)
    return Snippet(
        "GitHub Actions", "Add to a job's steps in .github/workflows/:", "yaml", f"- uses: {_yaml(uses)}", tag
    )


def _gitlab(purl: PackageURL, tag: str | None) -> Snippet | None:
    if not purl.subpath:
        return None  # an include names a file or a component
    project = f"{purl.namespace}/{purl.name}"
    if purl.subpath.lower().endswith((".yml", ".yaml")):
        lines = ["include:", f"  - project: {json.dumps(project)}"]
        if tag:
            lines.append(f"    ref: {json.dumps(tag)}")
        lines.append(f"    file: {json.dumps('/' + purl.subpath)}")
        return Snippet("GitLab CI", "Add to your .gitlab-ci.yml:", "yaml", "\n".join(lines), tag)
    component = f"$CI_SERVER_FQDN/{project}/{purl.subpath}@{tag or '~latest'}"
    return Snippet(
        "GitLab CI",
        "Add to your .gitlab-ci.yml:",
        "yaml",
        f"include:\n  - component: {_yaml(component)}",
        tag,
    )


_BUILDERS = {
    "npm": _npm,
    "pypi": _pypi,
    "maven": _maven,
    "golang": _golang,
    "docker": _docker,
    "oci": _oci,
    "terraform": _terraform,
    "github": _github_action,
    "githubactions": _github_action,
    "gitlab": _gitlab,
}


# --- which package a coordinate names ------------------------------------------------------------------------


def package_key(package_url: str) -> str | None:
    """What makes two Package URLs the same package, as one string (None for what is no purl): the type,
    namespace and name, normalised as each ecosystem compares names (PyPI's PEP 503 name; npm, Docker,
    Terraform and the forges' owner/name in lower case; a Docker Hub image without owner is
    library/<name>), and the subpath (which action or CI file of a repository). Version and qualifiers
    (where a package is fetched from) are left out: 2.1.0 from a mirror is still the same package. A
    generic package taken from a git repository is that repository: its key is
    `pkg:generic/<repository's last name>?vcs_url=git+https://<host>/<path>#<folder>`, whatever name,
    transport, user or revision it was written with.

    The one rule of "the same package" for matching an asset's package_url with the dependencies found in
    code (metrics.manifests writes its Dependency.purl in the same form)."""
    try:
        purl = PackageURL.from_string(package_url)
    except ValueError:
        return None
    kind = "github" if purl.type == "githubactions" else purl.type
    if kind == "generic":
        repository, folder = git_repository((purl.qualifiers or {}).get("vcs_url", ""))
        if repository:  # the repository is which package it is, whatever name it was given
            return PackageURL(
                type=kind,
                name=repository.rpartition("/")[2],
                qualifiers={"vcs_url": f"git+{repository}"},
                subpath=(purl.subpath or "").strip("/") or folder or None,
            ).to_string()
    namespace, name = purl.namespace or "", purl.name
    if kind == "pypi":
        name = canonicalize_name(name)
    elif kind in {"npm", "docker", "terraform", "github", "gitlab"}:
        namespace, name = namespace.lower(), name.lower()
    if kind == "docker" and not namespace:
        namespace = "library"
    return PackageURL(
        type=kind, namespace=namespace or None, name=name, subpath=(purl.subpath or "").strip("/") or None
    ).to_string()


def package_repository(package_url: str) -> str:
    """The git repository a generic package is taken from (its vcs_url), as
    catalog.git_urls.repository_address writes it; "" for any other package."""
    try:
        purl = PackageURL.from_string(package_url)
    except ValueError:
        return ""
    if purl.type != "generic":
        return ""
    return git_repository((purl.qualifiers or {}).get("vcs_url", ""))[0]


def package_keys_matching(dependency_key: str) -> list[str]:
    """The asset keys a dependency's key matches: itself, and for an action, a CI file or a module in a
    folder of a repository (a subpath) the repository as a whole, since an asset registered as
    `pkg:github/acme/actions` offers every action in it, and one registered as a git repository
    (`pkg:generic/…?vcs_url=git+…`) every module in it."""
    keys = [dependency_key]
    base, hash_mark, _subpath = dependency_key.partition("#")
    if hash_mark and (
        base.startswith(("pkg:github/", "pkg:gitlab/"))
        or (base.startswith("pkg:generic/") and "?vcs_url=" in base)
    ):
        keys.append(base)
    return keys
