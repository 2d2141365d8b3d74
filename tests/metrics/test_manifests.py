"""Dependencies read from each manifest kind (metrics.manifests), with versions and lines."""

import pytest

from metrics.manifests import ManifestError, dependencies_in, is_manifest


def found(path: str, text: str) -> list[tuple[str, str, int]]:
    return [(d.purl, d.version, d.line) for d in dependencies_in(path=path, text=text)]


def test_which_files_are_manifests():
    for path in [
        "package.json",
        "web/package-lock.json",
        "requirements-dev.txt",
        "svc/pyproject.toml",
        "uv.lock",
        "poetry.lock",
        "pom.xml",
        "app/build.gradle.kts",
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


def test_package_json_and_its_lock():
    manifest = (
        '{\n  "name": "web",\n  "dependencies": {\n    "@acme/design-tokens": "^2.1.0",\n'
        '    "left-pad": "1.3.0"\n  },\n  "devDependencies": {\n    "@Acme/lint-config": "3"\n  }\n}\n'
    )
    assert found("package.json", manifest) == [
        ("pkg:npm/%40acme/design-tokens", "^2.1.0", 4),
        ("pkg:npm/left-pad", "1.3.0", 5),
        ("pkg:npm/%40acme/lint-config", "3", 8),
    ]
    lock = (
        '{\n "lockfileVersion": 3,\n "packages": {\n  "": {"name": "web"},\n'
        '  "node_modules/@acme/design-tokens": {\n   "version": "2.4.0"\n  },\n'
        '  "node_modules/x/node_modules/left-pad": {"version": "1.3.0"},\n'
        '  "node_modules/local": {"link": true}\n }\n}\n'
    )
    assert found("package-lock.json", lock) == [
        ("pkg:npm/%40acme/design-tokens", "2.4.0", 5),
        ("pkg:npm/left-pad", "1.3.0", 8),
    ]


def test_python_requirements_pyproject_and_locks():
    requirements = (
        "# the service\n-r base.txt\n--index-url https://pypi.acme.example/simple\n"
        "Acme_Retry>=2.1,<3  # our retry library\nrequests==2.32.0 \\\n    --hash=sha256:abc\n"
        "-e ./local\nnot a requirement!\nacme-pdf[fonts] @ https://pkgs.acme.example/acme_pdf-1.0.whl\n"
    )
    assert found("requirements.txt", requirements) == [
        ("pkg:pypi/acme-retry", "<3,>=2.1", 4),
        ("pkg:pypi/requests", "==2.32.0", 5),
        ("pkg:pypi/acme-pdf", "", 9),
    ]
    pyproject = (
        '[project]\nname = "svc"\ndependencies = [\n  "acme-retry>=2.1",\n]\n'
        '[project.optional-dependencies]\npdf = ["acme-pdf==1.0"]\n'
        '[dependency-groups]\ndev = ["pytest>8", {include-group = "lint"}]\n'
        '[tool.poetry.dependencies]\npython = "^3.12"\nacme-auth = {version = "^1.2"}\n'
    )
    assert found("pyproject.toml", pyproject) == [
        ("pkg:pypi/acme-retry", ">=2.1", 4),
        ("pkg:pypi/acme-pdf", "==1.0", 7),
        ("pkg:pypi/pytest", ">8", 9),
        ("pkg:pypi/acme-auth", "^1.2", 12),
    ]
    uv_lock = (
        'version = 1\n\n[[package]]\nname = "svc"\nversion = "0.1.0"\nsource = { editable = "." }\n\n'
        '[[package]]\nname = "acme-retry"\nversion = "2.4.0"\nsource = { registry = "https://pypi.org/simple" }\n'
    )
    assert found("uv.lock", uv_lock) == [("pkg:pypi/acme-retry", "2.4.0", 9)]
    poetry_lock = '[[package]]\nname = "Acme.Retry"\nversion = "2.3.1"\n'
    assert found("poetry.lock", poetry_lock) == [("pkg:pypi/acme-retry", "2.3.1", 2)]


def test_maven_pom_with_properties_and_gradle():
    pom = """<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <version>1.0.0</version>
  <properties><ledger.version>2.4.0</ledger.version></properties>
  <dependencies>
    <dependency>
      <groupId>com.acme</groupId>
      <artifactId>ledger-client</artifactId>
      <version>${ledger.version}</version>
    </dependency>
    <dependency>
      <groupId>com.acme</groupId>
      <artifactId>audit</artifactId>
    </dependency>
  </dependencies>
</project>
"""
    assert found("pom.xml", pom) == [
        ("pkg:maven/com.acme/ledger-client", "2.4.0", 8),
        ("pkg:maven/com.acme/audit", "", 13),
    ]
    gradle = (
        'dependencies {\n    implementation("com.acme:ledger-client:2.4.0")\n'
        "    // implementation 'com.acme:old:1'\n    testImplementation 'com.acme:test-kit:1.1'\n"
        '    api(platform("com.acme:bom:3"))\n    implementation(libs.acme.retry)\n}\n'
    )
    assert found("build.gradle.kts", gradle) == [
        ("pkg:maven/com.acme/ledger-client", "2.4.0", 2),
        ("pkg:maven/com.acme/test-kit", "1.1", 4),
        ("pkg:maven/com.acme/bom", "3", 5),
    ]


def test_xml_entities_are_refused_not_expanded():
    bomb = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><project>&a;</project>'
    with pytest.raises(ManifestError, match="pom.xml: not a readable POM"):
        dependencies_in(path="pom.xml", text=bomb)


def test_go_mod():
    go_mod = (
        "module git.acme.example/payments/api\n\ngo 1.23\n\n"
        "require git.acme.example/platform/auth v1.4.0\n\nrequire (\n"
        "\tgithub.com/google/uuid v1.6.0 // indirect\n)\n\nreplace example.com/x => ../x\n"
    )
    assert found("go.mod", go_mod) == [
        ("pkg:golang/git.acme.example/platform/auth", "v1.4.0", 5),
        ("pkg:golang/github.com/google/uuid", "v1.6.0", 8),
    ]


def test_dockerfile_images_not_stages():
    dockerfile = (
        "ARG PY=3.12\nFROM python:${PY}-slim AS base\nFROM base AS test\n"
        "FROM --platform=linux/amd64 registry.acme.example/acme/base-python:1.4\nFROM scratch\n"
    )
    assert found("Dockerfile", dockerfile) == [
        ("pkg:docker/library/python", "3.12-slim", 2),
        ("pkg:docker/acme/base-python", "1.4", 4),
    ]


def test_terraform_registry_modules_only():
    tf = (
        'module "network" {\n  source  = "acme/network/aws"\n  version = "~> 2.1"\n}\n\n'
        'module "dns" {\n  source = "app.terraform.io/acme/dns/aws//modules/zone"\n}\n\n'
        'module "local" {\n  source = "./modules/x"\n}\n'
        'module "git" {\n  source = "git::https://git.acme.example/infra/vpc.git?ref=v1"\n}\n'
    )
    assert found("main.tf", tf) == [
        ("pkg:terraform/acme/network/aws", "~> 2.1", 1),
        ("pkg:terraform/acme/dns/aws", "", 6),
    ]
    with pytest.raises(ManifestError, match="main.tf: not readable HCL"):
        dependencies_in(path="main.tf", text='module "x" {\n  source = \n')


def test_github_workflow_uses():
    workflow = """name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/setup-build@v2
      - uses: acme/actions/publish@main
      - uses: ./local-action
      - uses: docker://alpine:3
      - run: make
  release:
    uses: acme/ci/.github/workflows/release.yml@v1
"""
    assert found(".github/workflows/ci.yml", workflow) == [
        ("pkg:github/actions/checkout", "v4", 7),
        ("pkg:github/acme/setup-build", "v2", 8),
        ("pkg:github/acme/actions#publish", "main", 9),
        ("pkg:github/acme/ci#.github/workflows/release.yml", "v1", 14),
    ]


def test_gitlab_ci_includes():
    pipeline = """include:
  - local: /ci/local.yml
  - project: acme/platform/ci-templates
    ref: v3.1
    file:
      - /templates/build.yml
      - templates/test.yml
  - component: $CI_SERVER_FQDN/acme/components/sast@1.2
  - template: Auto-DevOps.gitlab-ci.yml
"""
    assert found(".gitlab-ci.yml", pipeline) == [
        ("pkg:gitlab/acme/platform/ci-templates#templates/build.yml", "v3.1", 3),
        ("pkg:gitlab/acme/platform/ci-templates#templates/test.yml", "v3.1", 3),
        ("pkg:gitlab/acme/components#sast", "1.2", 8),
    ]


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
