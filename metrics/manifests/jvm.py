"""Java: Maven's pom.xml, Gradle's build.gradle / build.gradle.kts and its version catalogs
(gradle/libs.versions.toml)."""

import re
import tomllib
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl

__all__ = ["gradle_catalog_dependencies", "gradle_dependencies", "pom_dependencies"]

_PROPERTY = re.compile(r"\$\{([^}]+)\}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # Maven's namespace aside


def _child_text(element: Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def pom_dependencies(path: str, text: str) -> list[Dependency]:
    """<dependency> elements anywhere (dependencies, dependencyManagement, plugins' dependencies), with
    ${properties} of the same file resolved; a version given by a parent POM is unknown here ("")."""
    try:
        root = fromstring(text.encode())
    except (ParseError, DefusedXmlException) as error:
        raise ManifestError(f"{path}: not a readable POM ({error})") from error
    properties: dict[str, str] = {}
    for element in root:
        if _local(element.tag) == "properties":
            properties |= {_local(p.tag): (p.text or "").strip() for p in element}
    properties["project.version"] = _child_text(root, "version")

    def resolved(value: str) -> str:
        return _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), value)

    lines = LineFinder(text)
    found = []
    for element in root.iter():
        if _local(element.tag) != "dependency":
            continue
        group, artifact = (
            resolved(_child_text(element, "groupId")),
            resolved(_child_text(element, "artifactId")),
        )
        if group and artifact:
            line = lines.line_of(f"<artifactId>{_child_text(element, 'artifactId')}</artifactId>")
            found.append(
                Dependency(
                    purl(type="maven", namespace=group, name=artifact),
                    resolved(_child_text(element, "version")),
                    path,
                    line,
                )
            )
    return found


# A configuration, as a dependency declaration starts.
_CONFIGURATION = r"""\b(?:implementation|api|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly|kapt|ksp|
    annotationProcessor|classpath|compile|runtime|testCompile)\b"""
# A dependency written the usual way in Groovy or Kotlin: a configuration, then "group:name[:version]"
# in quotes, with or without parentheses: implementation("com.acme:ledger-client:2.4.0"),
# api 'com.acme:retry:1.0', testImplementation(platform("com.acme:bom:3")).
_GRADLE = re.compile(
    _CONFIGURATION
    + r"""\s*\(?\s*(?:(?:platform|enforcedPlatform)\s*\(\s*)?
    ["']([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(?::([^"'@:]+))?[^"']*["']""",
    re.VERBOSE,
)
# Or as a map (Groovy) or named arguments (Kotlin), on one line: implementation group: 'com.acme',
# name: 'retry', version: '1.0'; implementation(group = "com.acme", name = "retry", version = "1.0").
_GRADLE_MAP = re.compile(
    _CONFIGURATION
    + r"""\s*\(?\s*group\s*[:=]\s*["']([A-Za-z0-9_.\-]+)["']\s*,\s*name\s*[:=]\s*["']([A-Za-z0-9_.\-]+)["']
    (?:\s*,\s*version\s*[:=]\s*["']([^"']+)["'])?""",
    re.VERBOSE,
)


def gradle_dependencies(path: str, text: str) -> list[Dependency]:
    """Declarations written with coordinates (_GRADLE, _GRADLE_MAP). One naming a version catalog's alias
    (libs.acme.retry) is read from the catalog (gradle_catalog_dependencies)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        matches = sorted([*_GRADLE.finditer(line), *_GRADLE_MAP.finditer(line)], key=lambda m: m.start())
        for match in matches:
            group, name, version = match.groups()
            found.append(
                Dependency(purl(type="maven", namespace=group, name=name), version or "", path, number)
            )
    return found


def _catalog_version(value: object, versions: dict) -> str:
    """A catalog library's version as written: a string, a reference to [versions] ({ref = "x"}), or rich
    constraints ({prefer, require, strictly}: the first given, the preferred version being the one a build
    resolves to when nothing else constrains it); "" when none."""
    if isinstance(value, dict) and isinstance(value.get("ref"), str):
        value = versions.get(value["ref"], "")
    if isinstance(value, dict):
        value = next(
            (value[k] for k in ("prefer", "require", "strictly") if isinstance(value.get(k), str)), ""
        )
    return value if isinstance(value, str) else ""


def gradle_catalog_dependencies(path: str, text: str) -> list[Dependency]:
    """The [libraries] of a Gradle version catalog (TOML, read with tomllib): each alias's module
    ("group:name", or group and name apart) and version ("group:name:version" written as one string, a
    version, a version.ref to [versions], or rich constraints). A catalog lists what a build may use; the
    build files name its aliases (libs.acme.retry)."""
    try:
        catalog = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{path}: not valid TOML ({error})") from error
    libraries, versions = catalog.get("libraries"), catalog.get("versions")
    if not isinstance(libraries, dict):
        return []
    versions = versions if isinstance(versions, dict) else {}
    lines = LineFinder(text)
    # Read on from the libraries' table: an alias may also name a version in [versions], above it.
    lines.line_of("[libraries]")
    found = []
    for alias, library in libraries.items():
        if isinstance(library, str):  # "group:name:version"
            group, _, rest = library.partition(":")
            name, _, version = rest.partition(":")
        elif isinstance(library, dict):
            module = library.get("module")
            if isinstance(module, str):
                group, _, name = module.partition(":")
            else:
                group, name = str(library.get("group") or ""), str(library.get("name") or "")
            version = _catalog_version(library.get("version"), versions)
        else:
            continue
        if group and name:
            coordinates = purl(type="maven", namespace=group, name=name)
            found.append(Dependency(coordinates, version, path, lines.line_of(alias, "=")))
    return found
