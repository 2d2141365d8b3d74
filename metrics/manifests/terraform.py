"""Terraform: module blocks whose source is a registry address, or a git repository on a GitHub or GitLab
host the portal knows (python-hcl2 reads the HCL). Local paths (./modules/x) are the repository's own;
HTTP archives, buckets and git repositories on other hosts name no package, and are left out."""

import re
from urllib.parse import parse_qs, urlsplit

import hcl2
from hcl2 import SerializationOptions

from catalog.git_urls import SCP_URL_RE, repository_host
from catalog.models import Forge
from catalog.repositories import forge_hosts
from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl

__all__ = ["terraform_dependencies"]

# <namespace>/<name>/<provider>, optionally after a registry host (app.terraform.io/acme/network/aws).
_REGISTRY = re.compile(r"^(?:[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?/)?([\w-]+)/([\w-]+)/([\w-]+)$")


def git_module(source: str, hosts: dict[str, str]) -> tuple[str, str] | None:
    """(coordinates, ref) of a module taken from a GitHub or GitLab repository: pkg:github/owner/repo or
    pkg:gitlab/group/project, the module's folder (after "//") its subpath, as an action or a CI include
    in such a repository is written. Git sources are "git::<url>", git's "user@host:path", or Terraform's
    shorthand "github.com/owner/repo"; an https:// address without "git::" is an archive, not git."""
    address, _, query = source.strip().partition("?")
    ref = (parse_qs(query).get("ref") or [""])[0]
    if address.startswith("git::"):
        address = address.removeprefix("git::")
    elif address.startswith("github.com/"):
        address = f"https://{address}"
    elif not SCP_URL_RE.match(address):
        return None
    scheme, separator, rest = address.partition("://")
    rest, _, folder = rest.partition("//")
    url = f"{scheme}{separator}{rest}"
    forge = hosts.get(repository_host(url))
    if forge not in (Forge.GITHUB, Forge.GITLAB):
        return None
    scp = SCP_URL_RE.match(url)
    repository = (scp["path"] if scp else urlsplit(url).path).strip("/").removesuffix(".git")
    namespace, _, name = repository.rpartition("/")
    if not namespace or not name or (forge == Forge.GITHUB and "/" in namespace):
        return None
    return purl(type=str(forge), namespace=namespace, name=name, subpath=folder.strip("/") or None), ref


def terraform_dependencies(path: str, text: str) -> list[Dependency]:
    try:
        data = hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True))
    except Exception as error:  # lark's parse errors, which the library lets through
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ManifestError(f"{path}: not readable HCL ({first_line})") from error
    lines = LineFinder(text)
    hosts = forge_hosts()
    found = []
    for block in data.get("module") or []:
        for label, body in block.items():
            source = str(body.get("source", ""))
            match = _REGISTRY.match(source.split("//", 1)[0])  # a submodule's path aside
            if match:
                namespace, name, provider = match.groups()
                module = purl(type="terraform", namespace=f"{namespace}/{name}", name=provider)
                version = str(body.get("version", ""))
            elif taken := git_module(source, hosts):
                module, version = taken
            else:
                continue
            found.append(Dependency(module, version, path, lines.line_of("module", f'"{label}"')))
    return found
