"""Terraform: module blocks whose source is a registry address or a git repository (python-hcl2 reads
the HCL). Local paths (./modules/x) are the repository's own; HTTP archives, buckets and Mercurial name no
package, and are left out.

Git sources, as Terraform's module sources documentation writes them: "git::<url>" (https://, ssh://,
git://, or git's scp-like user@host:path after "git::"), an unprefixed user@host:path, and the
shorthands "github.com/owner/repo" and "bitbucket.org/owner/repo" (git over https). A folder of the
repository follows "//", and arguments ("?ref=v1.2.0", "?depth=1") come last: the ref is the version in
use. An https:// address without "git::" is an archive fetched over HTTP, not git."""

import re
from urllib.parse import parse_qs, urlsplit

import hcl2
from hcl2 import SerializationOptions

from catalog.git_urls import SCP_URL_RE, repository_address, repository_host
from catalog.models import Forge
from catalog.repositories import forge_hosts
from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl

__all__ = ["terraform_dependencies"]

# <namespace>/<name>/<provider>, optionally after a registry host (app.terraform.io/acme/network/aws).
_REGISTRY = re.compile(r"^(?:[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?/)?([\w-]+)/([\w-]+)/([\w-]+)$")
# Hosts whose "<host>/owner/repo" Terraform reads as a git repository over https.
_SHORTHAND_HOSTS = ("github.com/", "bitbucket.org/")


def _git_address(source: str) -> tuple[str, str, str] | None:
    """(repository URL, folder, ref) of a git module source; None for any other kind of source."""
    address, _, query = source.strip().partition("?")
    ref = (parse_qs(query).get("ref") or [""])[0]
    if address.startswith("git::"):
        address = address.removeprefix("git::")
    elif address.startswith(_SHORTHAND_HOSTS):
        address = f"https://{address}"
    elif not SCP_URL_RE.match(address):
        return None
    # The folder follows the first "//" after the scheme's (an scp-like address has none).
    scheme, separator, rest = address.partition("://") if "://" in address else ("", "", address)
    rest, _, folder = rest.partition("//")
    return f"{scheme}{separator}{rest}", folder.strip("/"), ref


def git_module(source: str, hosts: dict[str, str]) -> tuple[str, str] | None:
    """(coordinates, ref) of a module taken from a git repository. On a GitHub or GitLab host (`hosts`,
    forge_hosts) pkg:github/owner/repo or pkg:gitlab/group/project, the module's folder its subpath, as
    an action or a CI include in such a repository is written; on any other host the repository as
    catalog.packages reads a generic package's git vcs_url: pkg:generic/<repo>?vcs_url=git+https://<host>/
    <path>#<folder>, the same repository whether the source clones it over ssh or https."""
    found = _git_address(source)
    if found is None:
        return None
    url, folder, ref = found
    forge = hosts.get(repository_host(url))
    if forge not in (Forge.GITHUB, Forge.GITLAB):
        repository = repository_address(url)
        if not repository:
            return None
        name = repository.rpartition("/")[2]
        return purl(
            type="generic", name=name, qualifiers={"vcs_url": f"git+{repository}"}, subpath=folder
        ), ref
    scp = SCP_URL_RE.match(url)
    repository = (scp["path"] if scp else urlsplit(url).path).strip("/").removesuffix(".git")
    namespace, _, name = repository.rpartition("/")
    if not namespace or not name or (forge == Forge.GITHUB and "/" in namespace):
        return None
    return purl(type=str(forge), namespace=namespace, name=name, subpath=folder or None), ref


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
