"""Terraform: module blocks whose source is a registry address (python-hcl2 reads the HCL). Local paths
(./modules/x) are the repository's own; git, HTTP and bucket sources are read as repositories, not
packages, and are left out."""

import re

import hcl2
from hcl2 import SerializationOptions

from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl

__all__ = ["terraform_dependencies"]

# <namespace>/<name>/<provider>, optionally after a registry host (app.terraform.io/acme/network/aws).
_REGISTRY = re.compile(r"^(?:[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?/)?([\w-]+)/([\w-]+)/([\w-]+)$")


def terraform_dependencies(path: str, text: str) -> list[Dependency]:
    try:
        data = hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True))
    except Exception as error:  # lark's parse errors, which the library lets through
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ManifestError(f"{path}: not readable HCL ({first_line})") from error
    lines = LineFinder(text)
    found = []
    for block in data.get("module") or []:
        for label, body in block.items():
            source = str(body.get("source", "")).split("//", 1)[0]  # a submodule's path aside
            match = _REGISTRY.match(source)
            if not match:
                continue
            namespace, name, provider = match.groups()
            line = lines.line_of("module", f'"{label}"')
            found.append(
                Dependency(
                    purl(type="terraform", namespace=f"{namespace}/{name}", name=provider),
                    str(body.get("version", "")),
                    path,
                    line,
                )
            )
    return found
