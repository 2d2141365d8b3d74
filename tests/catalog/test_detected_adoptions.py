"""Adoptions found in code (catalog.services.detected): kept in step with what a repository's manifests
declare, matched on the package (catalog.packages.package_key), beside the declared ones (issue 18)."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Adoption, AdoptionSource, Project, ReviewStatus, SearchEntry, Visibility
from catalog.search_index import entries_rebuild
from catalog.selectors import ADOPTION_RELATED, adoptions_shown, project_consumption, versions_in_use
from catalog.selectors.consumption import releases_behind
from catalog.services import adoption_create, adoption_end, detected_adoptions_update
from metrics.manifests import Dependency, dependencies_in
from metrics.models import Release
from tests.api import api
from tests.factories import AssetFactory, ProjectFactory, RepositoryFactory, UserFactory, make_owner

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)


@pytest.fixture
def world():
    retry = AssetFactory(name="acme-retry", package_url="pkg:pypi/Acme_Retry", project__name="Retry")
    tokens = AssetFactory(name="Design tokens", package_url="pkg:npm/%40acme/design-tokens")
    actions = AssetFactory(name="Build actions", package_url="pkg:github/acme/actions")
    consumer = ProjectFactory(name="Checkout", business_unit__name="Retail")
    repository = RepositoryFactory(project=consumer, full_name="retail/checkout")
    entries_rebuild(project_ids=[retry.project_id, tokens.project_id, actions.project_id, consumer.pk])
    return {"retry": retry, "tokens": tokens, "actions": actions, "consumer": consumer, "repo": repository}


def manifests() -> list[Dependency]:
    requirements = "acme.retry>=2.1\nrequests==2.32.0\n"
    lock = '[[package]]\nname = "acme-retry"\nversion = "2.4.0"\n'
    workflow = "jobs:\n  build:\n    steps:\n      - uses: acme/actions/publish@v3\n"
    return (
        dependencies_in(path="requirements.txt", text=requirements)
        + dependencies_in(path="uv.lock", text=lock)
        + dependencies_in(path=".github/workflows/ci.yml", text=workflow)
    )


def test_a_dependency_on_an_assets_package_is_an_adoption_by_the_repositorys_project(world):
    changes = detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    assert {a.asset.name for a in changes.started} == {"acme-retry", "Build actions"}
    retry = Adoption.objects.get(asset=world["retry"])
    assert retry.source == AdoptionSource.DETECTED
    assert (retry.team, retry.business_unit.name, retry.since) == ("Checkout", "Retail", MONDAY)
    # The lock file's exact version says what is in use better than the requirement's range.
    assert (retry.version, retry.manifest_path, retry.manifest_line) == ("2.4.0", "uv.lock", 2)
    actions = Adoption.objects.get(asset=world["actions"])
    assert (actions.version, actions.manifest_path, actions.manifest_line) == (
        "v3",
        ".github/workflows/ci.yml",
        4,
    )
    # The index counts it.
    assert SearchEntry.objects.get(asset=world["retry"]).adoption_count == 1


def test_the_same_manifests_again_change_nothing(world):
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    again = detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=TUESDAY)
    assert (again.started, again.updated, again.ended) == ([], [], [])
    assert Adoption.objects.count() == 2


def test_a_removed_dependency_ends_its_adoption_and_a_new_version_updates_it(world):
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    upgraded = dependencies_in(path="uv.lock", text='[[package]]\nname = "acme-retry"\nversion = "2.5.0"\n')
    changes = detected_adoptions_update(repository=world["repo"], dependencies=upgraded, on=TUESDAY)
    assert [a.asset.name for a in changes.ended] == ["Build actions"]
    assert Adoption.objects.get(asset=world["actions"]).ended_on == TUESDAY
    assert Adoption.objects.get(asset=world["retry"]).version == "2.5.0"
    assert [a.asset.name for a in changes.updated] == ["acme-retry"]
    assert Adoption.objects.active(on=TUESDAY).filter(source=AdoptionSource.DETECTED).count() == 1
    # Added back later: a new adoption, the ended one stays as history.
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=date(2026, 3, 9))
    assert Adoption.objects.filter(asset=world["actions"]).count() == 2


def test_own_assets_unlisted_projects_and_unknown_packages_are_no_adoption(world):
    own = AssetFactory(project=world["consumer"], package_url="pkg:pypi/checkout-client")
    pending = AssetFactory(package_url="pkg:pypi/pending-lib", project__review_status=ReviewStatus.PENDING)
    found = [
        Dependency("pkg:pypi/checkout-client", "1.0", "requirements.txt", 1),
        Dependency("pkg:pypi/pending-lib", "1.0", "requirements.txt", 2),
        Dependency("pkg:pypi/unknown", "1.0", "requirements.txt", 3),
    ]
    assert detected_adoptions_update(repository=world["repo"], dependencies=found, on=MONDAY).started == []
    assert not Adoption.objects.filter(asset__in=[own, pending]).exists()
    # A consuming project not listed (waiting for review) adopts nothing, and what it had ends.
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    world["consumer"].review_status = ReviewStatus.PENDING
    world["consumer"].save()
    ended = detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=TUESDAY).ended
    assert len(ended) == 2


def test_declared_and_detected_by_the_same_team_count_once(world):
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    person = UserFactory()
    declared, new = adoption_create(
        asset=world["retry"], user=person, business_unit=world["consumer"].business_unit, team="checkout"
    )
    assert new and declared.source == AdoptionSource.DECLARED
    assert Adoption.objects.filter(asset=world["retry"]).count() == 2
    assert Adoption.objects.filter(asset=world["retry"]).team_count() == 1


def test_a_detected_adoption_is_not_ended_by_hand(world):
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    adoption = Adoption.objects.get(asset=world["retry"])
    owner = UserFactory()
    make_owner(world["retry"].project, owner)
    with pytest.raises(ValidationError, match="found in code"):
        adoption_end(adoption=adoption, user=owner)


def test_the_package_key_follows_the_package_url(world):
    asset = world["tokens"]
    assert asset.package_key == "pkg:npm/%40acme/design-tokens"
    asset.package_url = "pkg:npm/%40acme/tokens"
    asset.save(update_fields=["package_url"])
    asset.refresh_from_db()
    assert asset.package_key == "pkg:npm/%40acme/tokens"


def test_pages_and_api_say_found_in_code_and_where_to_those_who_see_the_consumer(world, client):
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    viewer = UserFactory()
    client.force_login(viewer)
    retry = world["retry"]
    page = client.get(retry.get_absolute_url()).content.decode()
    assert "Found in code: 2.4.0" in page
    assert f'href="{world["consumer"].get_absolute_url()}"' in page and "uv.lock, line 2" in page
    body = api(viewer).get("/api/v1/adoptions/", {"asset": retry.pk, "source": "detected"}).json()
    (row,) = body["results"]
    assert (row["source"], row["team"], row["version"]) == ("detected", "Checkout", "2.4.0")
    assert row["consumer"] == {
        "project": world["consumer"].slug,
        "repository": world["repo"].url,
        "manifest_path": "uv.lock",
        "manifest_line": 2,
    }
    # A restricted consumer is "a project of <unit>", without where (tests/test_visibility_routes.py walks
    # every route for this).
    world["consumer"].visibility = Visibility.UNITS
    world["consumer"].save()
    row = api(viewer).get(f"/api/v1/adoptions/{row['id']}/").json()
    assert (row["team"], row["consumer"]) == ("A project of Retail", None)
    assert "Checkout" not in client.get(retry.get_absolute_url()).content.decode()


def test_the_asset_page_counts_teams_found_in_code_and_declared_once_each(world, client):
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    other = ProjectFactory(name="Payments", business_unit__name="Finance")
    detected_adoptions_update(
        repository=RepositoryFactory(project=other),
        dependencies=dependencies_in(path="requirements.txt", text="acme-retry==2.0\n"),
        on=MONDAY,
    )
    person = UserFactory()
    unit = world["consumer"].business_unit
    adoption_create(asset=world["retry"], user=person, business_unit=unit, team="Checkout")  # also found
    adoption_create(asset=world["retry"], user=person, business_unit=unit, team="Mobile")
    client.force_login(person)
    page = client.get(world["retry"].get_absolute_url()).content.decode()
    # Checkout (found and declared), Payments (found), Mobile (declared): three teams.
    assert "Used by 3 teams: 2 found in code, 2 declared" in page


@pytest.mark.parametrize(
    ("written", "behind"),
    [
        ("==2.1.0", 2),
        ("^2.1.0", 2),
        ("2.4.0", 0),
        ("v2.3.0", 1),
        (">=2,<3", None),
        ("main", None),
        ("", None),
    ],
)
def test_releases_behind_counts_the_published_releases_newer_than_the_version_in_use(written, behind):
    assert releases_behind(in_use=written, released=["v2.4.0", "v2.3.0", "2.1.0", "not-a-version"]) == behind


def test_the_project_page_lists_what_its_code_uses_and_how_far_behind(
    world, client, django_assert_max_num_queries
):
    retry_repository = RepositoryFactory(project=world["retry"].project)
    for n, (tag, day) in enumerate([("v2.1.0", 1), ("v2.4.0", 20), ("v2.5.0", 25), ("v3.0.0-rc1", 28)]):
        Release.objects.create(
            repository=retry_repository,
            forge_id=str(n),
            tag=tag,
            prerelease="rc" in tag,
            published_at=datetime(2026, 2, day, tzinfo=UTC),
        )
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    viewer = UserFactory()
    with django_assert_max_num_queries(4):
        consumed = project_consumption(project=world["consumer"], viewer=viewer)
    assert [(c.asset.name, c.version, c.latest, c.behind) for c in consumed] == [
        ("acme-retry", "2.4.0", "2.5.0", 1),  # the pre-release is no release
        ("Build actions", "v3", "", 0),
    ]
    client.force_login(viewer)
    page = client.get(world["consumer"].get_absolute_url()).content.decode()
    assert "Uses from the catalog" in page
    # In the consumer digest's words: the version in use (the lock's 2.4.0) against the latest.
    assert consumed[0].behind_text == "1 release behind, 2.4.0 → 2.5.0"
    assert "1 release behind, 2.4.0 → 2.5.0" in page and "uv.lock, line 2: 2.4.0" in page
    assert consumed[1].behind_text == "" and "v3 in use" in page
    # An asset of a project the viewer may not see is not listed.
    world["retry"].project.visibility = Visibility.UNITS
    world["retry"].project.save()
    assert [c.asset.name for c in project_consumption(project=world["consumer"], viewer=viewer)] == [
        "Build actions"
    ]


def test_the_asset_page_says_which_versions_the_code_uses(world, client):
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)
    for name, pin in (("Billing", "==2.1.0"), ("Ledger", "==2.1.0"), ("Web", "main")):
        detected_adoptions_update(
            repository=RepositoryFactory(project=ProjectFactory(name=name)),
            dependencies=[Dependency("pkg:pypi/acme-retry", pin, "requirements.txt", 1)],
            on=MONDAY,
        )
    viewer = UserFactory()
    versions = versions_in_use(
        adoptions_shown(
            list(world["retry"].adoptions.active().select_related(*ADOPTION_RELATED)), viewer=viewer
        )
    )
    assert [(v.version, v.repositories, [a.shown_team for a in v.consumers]) for v in versions] == [
        ("2.4.0", 1, ["Checkout"]),
        ("==2.1.0", 2, ["Billing", "Ledger"]),
        ("main", 1, ["Web"]),
    ]
    client.force_login(viewer)
    page = client.get(world["retry"].get_absolute_url()).content.decode()
    assert "Versions found in code" in page
    billing = Project.objects.get(name="Billing")
    assert (
        f'<strong>==2.1.0</strong> <span class="muted">(2 repositories)</span>: '
        f'<a href="{billing.get_absolute_url()}">Billing</a>, <a href="/catalog/' in page
    )
    # A restricted consumer is "a project of <unit>" to those who may not see it, and never named.
    billing.visibility = Visibility.UNITS
    billing.save()
    page = client.get(world["retry"].get_absolute_url()).content.decode()
    assert (
        f'<strong>==2.1.0</strong> <span class="muted">(2 repositories)</span>: A project of {billing.business_unit.name}, <a'
        in page
    )
    assert ">Billing<" not in page
    # Anonymous visitors see the versions and how many use each, not who.
    client.logout()
    page = client.get(world["retry"].get_absolute_url()).content.decode()
    assert '<strong>main</strong> <span class="muted">(1 repository)</span></li>' in page


def test_the_asset_page_says_how_far_behind_each_version_in_use_is(world, client):
    detected_adoptions_update(repository=world["repo"], dependencies=manifests(), on=MONDAY)  # 2.4.0
    for name, pin in (("Billing", "==2.1.0"), ("Web", "main")):
        detected_adoptions_update(
            repository=RepositoryFactory(project=ProjectFactory(name=name)),
            dependencies=[Dependency("pkg:pypi/acme-retry", pin, "requirements.txt", 1)],
            on=MONDAY,
        )
    retry_repository = RepositoryFactory(project=world["retry"].project)
    for n, tag in enumerate(["v2.1.0", "v2.4.0", "v2.5.0"]):
        Release.objects.create(
            repository=retry_repository,
            forge_id=str(n),
            tag=tag,
            published_at=datetime(2026, 2, n + 1, tzinfo=UTC),
        )
    client.force_login(UserFactory())
    page = client.get(world["retry"].get_absolute_url()).content.decode()
    assert '<strong>2.4.0</strong> <span class="muted">(1 repository · 1 release behind)</span>' in page
    assert '<strong>==2.1.0</strong> <span class="muted">(1 repository · 2 releases behind)</span>' in page
    assert '<strong>main</strong> <span class="muted">(1 repository)</span>' in page  # cannot be told
    Release.objects.create(
        repository=retry_repository,
        forge_id="9",
        tag="v2.6.0",
        draft=True,
        published_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    page = client.get(world["retry"].get_absolute_url()).content.decode()
    assert "(1 repository · 1 release behind)" in page, "a draft is no release"


# --- Terraform modules from git repositories on other hosts -------------------------------------------------

MODULES_TF = """\
module "vpc" {
  source = "git::https://git.acme.example/platform/terraform-modules.git//vpc?ref=v1.4.0"
}
module "dns" {
  source = "git@git.acme.example:platform/terraform-modules.git//dns?ref=v1.3.0"
}
module "network" {
  source = "git::ssh://git@git.acme.example/platform/network.git?ref=v2"
}
"""


def modules() -> list[Dependency]:
    return dependencies_in(path="infra/main.tf", text=MODULES_TF)


def test_a_module_from_a_git_repository_is_the_asset_whose_package_url_names_that_repository(world):
    """Each side may spell the repository its own way (ssh for one, https for the other)."""
    vpc = AssetFactory(
        name="VPC module",
        package_url="pkg:generic/vpc?vcs_url=git%2Bssh://git%40git.acme.example/platform/terraform-modules.git#vpc",
    )
    network = AssetFactory(
        name="Network modules",
        package_url="pkg:generic/network?vcs_url=git%2Bhttps://git.acme.example/platform/network.git",
    )
    # Another folder of the same repository is another module; another host, another repository.
    AssetFactory(
        package_url="pkg:generic/x?vcs_url=git%2Bhttps://git.acme.example/platform/terraform-modules.git#eks"
    )
    AssetFactory(
        package_url="pkg:generic/vpc?vcs_url=git%2Bhttps://git.other.example/platform/terraform-modules#vpc"
    )

    changes = detected_adoptions_update(repository=world["repo"], dependencies=modules(), on=MONDAY)

    assert {a.asset for a in changes.started} == {vpc, network}
    found = Adoption.objects.get(asset=vpc)
    assert (found.version, found.manifest_path, found.manifest_line) == ("v1.4.0", "infra/main.tf", 1)
    assert Adoption.objects.get(asset=network).version == "v2"


def test_a_module_from_a_git_repository_is_the_one_asset_without_package_of_the_project_of_that_repository(
    world,
):
    """The portal's own plain git repositories: a project whose catalog repository the module is taken
    from (stored by its ssh clone URL) offers it, when it offers one asset without package coordinates."""
    modules_project = ProjectFactory(name="Terraform modules")
    RepositoryFactory(
        project=modules_project, forge="git", url="ssh://git@git.acme.example/platform/terraform-modules"
    )
    AssetFactory(project=modules_project, name="Client", package_url="pkg:npm/%40acme/tf-client")
    offered = AssetFactory(project=modules_project, name="Platform modules")
    network_project = ProjectFactory(name="Network")
    RepositoryFactory(
        project=network_project, forge="git", url="https://git.acme.example/platform/network.git"
    )
    AssetFactory(project=network_project, name="Network A")
    AssetFactory(project=network_project, name="Network B")

    changes = detected_adoptions_update(repository=world["repo"], dependencies=modules(), on=MONDAY)

    # Both modules of the repository are that asset: the first in path and line order is the one shown.
    assert [a.asset for a in changes.started] == [offered]
    found = Adoption.objects.get(asset=offered)
    assert (found.version, found.manifest_path, found.manifest_line) == ("v1.4.0", "infra/main.tf", 1)
    # Which of Network's two assets it would be cannot be told: neither is taken.
    assert not Adoption.objects.filter(asset__project=network_project).exists()

    # The module removed: the adoption ends.
    ended = detected_adoptions_update(repository=world["repo"], dependencies=[], on=TUESDAY).ended
    assert [a.asset for a in ended] == [offered]


def test_a_project_does_not_adopt_its_own_modules_nor_an_unlisted_projects(world):
    RepositoryFactory(
        project=world["consumer"], forge="git", url="https://git.acme.example/platform/terraform-modules"
    )
    AssetFactory(project=world["consumer"], name="Our modules")
    pending = ProjectFactory(review_status=ReviewStatus.PENDING)
    RepositoryFactory(project=pending, forge="git", url="git@git.acme.example:platform/network.git")
    AssetFactory(project=pending)

    assert (
        detected_adoptions_update(repository=world["repo"], dependencies=modules(), on=MONDAY).started == []
    )
