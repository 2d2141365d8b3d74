"""Dependencies read from each manifest kind (metrics.manifests), with versions and lines."""

from pathlib import Path

import pytest
import yaml

from metrics.manifests import ManifestError, dependencies_in, is_manifest

# A manifest of each kind, with what is found in it (its path, text and [package URL, version, line]s).
CASES = yaml.safe_load((Path(__file__).parents[1] / "fixtures" / "manifests.yaml").read_text())


def found(path: str, text: str) -> list[tuple[str, str, int]]:
    return [(d.purl, d.version, d.line) for d in dependencies_in(path=path, text=text)]


def test_which_files_are_manifests():
    for path in [
        "package.json",
        "web/package-lock.json",
        "npm-shrinkwrap.json",
        "apps/web/pnpm-lock.yaml",
        "yarn.lock",
        "requirements-dev.txt",
        "svc/pyproject.toml",
        "uv.lock",
        "poetry.lock",
        "pom.xml",
        "app/build.gradle.kts",
        "gradle/libs.versions.toml",
        "go.mod",
        "Dockerfile",
        "infra/main.tf",
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
    ]:
        assert is_manifest(path), path
    for path in ["README.md", "docs/workflows/ci.yml", "package.json.bak", "src/main.py"]:
        assert not is_manifest(path), path
    assert dependencies_in(path="README.md", text="pkg:npm/x") == []


@pytest.mark.parametrize("case", CASES, ids=[case["about"] for case in CASES])
def test_each_kind_finds_its_dependencies_with_versions_and_lines(case):
    assert found(case["path"], case["text"]) == [tuple(dependency) for dependency in case["found"]]


def test_xml_entities_are_refused_not_expanded():
    bomb = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><project>&a;</project>'
    with pytest.raises(ManifestError, match="pom.xml: not a readable POM"):
        dependencies_in(path="pom.xml", text=bomb)


def test_terraform_that_is_not_hcl_is_refused():
    with pytest.raises(ManifestError, match="main.tf: not readable HCL"):
        dependencies_in(path="main.tf", text='module "x" {\n  source = \n')


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        ("package.json", "{not json", "package.json:"),
        ("package.json", "[1, 2]", "expected a JSON object"),
        ("pyproject.toml", "[project\n", "not valid TOML"),
        (".gitlab-ci.yml", "include: [\n", "not valid YAML"),
    ],
)
def test_unreadable_manifests_say_why_in_one_line(path, text, reason):
    with pytest.raises(ManifestError, match=reason) as error:
        dependencies_in(path=path, text=text)
    assert "\n" not in str(error.value) and str(error.value).startswith(path)
