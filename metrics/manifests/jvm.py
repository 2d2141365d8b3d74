"""Java: Maven's pom.xml and Gradle's build.gradle / build.gradle.kts."""

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl

__all__ = ["gradle_dependencies", "pom_dependencies"]

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


# A dependency written the usual way in Groovy or Kotlin: a configuration, then "group:name[:version]"
# in quotes, with or without parentheses: implementation("com.acme:ledger-client:2.4.0"),
# api 'com.acme:retry:1.0', testImplementation(platform("com.acme:bom:3")). Maps (group: '...', name:
# '...') and version catalogs (libs.acme.retry) are not read.
_GRADLE = re.compile(
    r"""\b(?:implementation|api|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly|kapt|ksp|
    annotationProcessor|classpath|compile|runtime|testCompile)\b
    \s*\(?\s*(?:(?:platform|enforcedPlatform)\s*\(\s*)?
    ["']([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(?::([^"'@:]+))?[^"']*["']""",
    re.VERBOSE,
)


def gradle_dependencies(path: str, text: str) -> list[Dependency]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        for match in _GRADLE.finditer(line):
            group, name, version = match.groups()
            found.append(
                Dependency(purl(type="maven", namespace=group, name=name), version or "", path, number)
            )
    return found
