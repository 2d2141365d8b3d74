"""The demo's dependency manifests: some repositories' default branches use libraries of the catalog, as
the forge sync would have read them (metrics.ManifestFile), so that adoptions found in code, the versions in
use and how far behind each project is show on the first run."""

import hashlib
import json
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count
from packageurl import PackageURL
from packaging.version import InvalidVersion, Version

from catalog.models import Adoption, AdoptionSource, Asset, ConsumerDigest, Project, ProjectRole, Repository
from catalog.selectors.consumption import released_tags, version_in_use
from catalog.services import consumer_digests_send, detected_adoptions_update
from metrics.manifests import dependencies_in
from metrics.models import ManifestFile
from metrics.services import activity_upsert
from metrics.sync.records import ActivityBatch, ReleaseRecord
from portal.demo.seeder.base import SeederBase

# The share of listed projects whose main repository uses libraries of the catalog, and how many each uses.
CONSUMER_SHARE = 0.5
USED_PER_CONSUMER = (1, 4)
# Packages from outside the catalog that the manifests name too: they match no asset.
OUTSIDE = {
    "pypi": [("requests", "==2.32.3"), ("pydantic", "==2.9.2")],
    "npm": [("react", "^18.3.1")],
    "maven": [("org.slf4j", "slf4j-api", "2.0.16")],
    "golang": [("github.com/google/uuid", "v1.6.0")],
    "terraform": [],
}


def _manifest(kind: str, used: list[tuple[PackageURL, str]]) -> tuple[str, str]:
    """(path, text) of a manifest of this package type naming these (package, version) pairs."""
    if kind == "pypi":
        lines = [f"{purl.name}=={version}" for purl, version in used]
        lines += [f"{name}{pin}" for name, pin in OUTSIDE["pypi"]]
        return "requirements.txt", "\n".join(lines) + "\n"
    if kind == "npm":
        deps = {f"{purl.namespace}/{purl.name}": f"^{version}" for purl, version in used}
        deps |= dict(OUTSIDE["npm"])
        return "package.json", json.dumps({"name": "app", "dependencies": deps}, indent=2) + "\n"
    if kind == "maven":
        blocks = [(purl.namespace, purl.name, version) for purl, version in used] + OUTSIDE["maven"]
        body = "".join(
            f"    <dependency>\n      <groupId>{g}</groupId>\n      <artifactId>{a}</artifactId>\n"
            f"      <version>{v}</version>\n    </dependency>\n"
            for g, a, v in blocks
        )
        return "pom.xml", f"<project>\n  <dependencies>\n{body}  </dependencies>\n</project>\n"
    if kind == "golang":
        requires = [(f"{purl.namespace}/{purl.name}", f"v{version}") for purl, version in used]
        requires += OUTSIDE["golang"]
        body = "".join(f"\t{module} {version}\n" for module, version in requires)
        return "go.mod", f"module git.acme.example/app\n\ngo 1.23\n\nrequire (\n{body})\n"
    blocks = "".join(
        f'module "{purl.name}" {{\n  source  = "{purl.namespace}/{purl.name}"\n  version = "{version}"\n}}\n\n'
        for purl, version in used
    )
    return "infra/main.tf", blocks


class ManifestSteps(SeederBase):
    def create_manifests(self) -> None:
        rng = self.rng
        libraries = list(Asset.objects.exclude(package_key="").select_related("project").order_by("pk"))
        by_kind: dict[str, list[Asset]] = defaultdict(list)
        for asset in libraries:
            by_kind[PackageURL.from_string(asset.package_url).type].append(asset)
        listed = set(Project.objects.listed().values_list("pk", flat=True))
        repositories = (
            Repository.objects.filter(project_id__in=listed, last_synced_at__isnull=False)
            .select_related("project")
            .order_by("pk")
        )
        seen_projects: set[int] = set()
        files = adoptions = 0
        for repository in repositories:
            if repository.project_id in seen_projects or rng.random() > CONSUMER_SHARE:
                continue
            seen_projects.add(repository.project_id)
            kind = rng.choice(sorted(by_kind))
            choices = [a for a in by_kind[kind] if a.project_id != repository.project_id]
            if not choices:
                continue
            picked = rng.sample(choices, min(len(choices), rng.randint(*USED_PER_CONSUMER)))
            used = [
                (PackageURL.from_string(a.package_url), f"{rng.randint(1, 2)}.{rng.randint(0, 5)}.0")
                for a in picked
            ]
            path, text = _manifest(kind, used)
            dependencies = dependencies_in(path=path, text=text)
            read_at = min(repository.last_synced_at, self.base - timedelta(hours=1))
            ManifestFile.objects.create(
                repository=repository,
                path=path,
                blob_sha=hashlib.sha1(f"blob {len(text)}\0{text}".encode()).hexdigest(),  # as git names it
                dependencies=[{"purl": d.purl, "version": d.version, "line": d.line} for d in dependencies],
                read_at=read_at,
            )
            files += 1
            adoptions += len(
                detected_adoptions_update(
                    repository=repository, dependencies=dependencies, on=read_at.date() - timedelta(days=1)
                ).started
            )
        self.counts["dependency manifests"] = files
        self.counts["adoptions found in code"] = adoptions

    def create_consumer_digest(self) -> None:
        """A library that a project of the demo's developer (dev@acme.example) uses publishes a release
        an hour before the seeding, recorded after the manifests as the sync records one: its consumers'
        owners and maintainers, the developer among them, find the day's digest in their notifications.
        The developer's own projects are not synced; so the developer also maintains a consuming project
        (the first by name with a single maintainer)."""
        dev = self.known["dev"]
        detected = (
            Adoption.objects.active(on=self.base.date())
            .filter(source=AdoptionSource.DETECTED)
            .select_related("asset__project", "repository__project")
            .order_by("repository__project__name", "asset__name", "pk")
        )
        owned = ProjectRole.objects.filter(user=dev, role__in=ProjectRole.EDITOR_ROLES).values("project")
        adoption = detected.filter(repository__project__in=owned).first()
        if adoption is None:
            single = (
                ProjectRole.objects.filter(role=ProjectRole.Role.MAINTAINER)
                .values("project")
                .annotate(n=Count("pk"))
                .filter(n=1)
                .values("project")
            )
            adoption = detected.filter(repository__project__in=single).first()
            if adoption is None or adoption.repository is None:
                return
            ProjectRole.objects.create(
                project=adoption.repository.project,
                user=dev,
                role=ProjectRole.Role.MAINTAINER,
                created_at=self.base - timedelta(days=90),
            )
        library = adoption.asset.project
        repository = library.repositories.order_by("pk").first()
        if repository is None:
            return
        # The next minor version after the newest released and the one in use.
        versions = [version_in_use(adoption.version) or Version("0")]
        for tag in released_tags(project_ids=[library.pk]).get(library.pk, []):
            try:
                versions.append(Version(tag.removeprefix("v")))
            except InvalidVersion:
                continue
        newest = max(versions)
        tag = f"v{newest.major}.{newest.minor + 1}.0"
        release = ReleaseRecord(
            forge_id=f"demo-{repository.pk}-consumers",
            tag=tag,
            name=tag,
            draft=False,
            prerelease=False,
            published_at=self.base - timedelta(hours=1),
        )
        activity_upsert(repository=repository, batch=ActivityBatch(releases=[release]), announce=False)
        consumer_digests_send(now=self.base)
        self.counts["consumer digests"] = ConsumerDigest.objects.count()
