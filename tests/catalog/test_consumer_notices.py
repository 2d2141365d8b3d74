"""Consumers kept informed (catalog.services.notices, issue 18): the owners of a project whose code uses
an asset are told of its releases, its deprecation and its archival, in one digest a day each."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from catalog.curation import project_archive
from catalog.models import ConsumerDigest, ConsumerNotice, Lifecycle, ProjectRole, ReviewStatus, Visibility
from catalog.services import ProjectFields, detected_adoptions_update, project_update
from catalog.services.notices import consumer_digests_send, consumer_notices_for_releases
from metrics.manifests import Dependency
from metrics.services import activity_upsert
from metrics.sync.records import ActivityBatch, ReleaseRecord
from tests.factories import AssetFactory, ProjectFactory, RepositoryFactory, UserFactory, make_owner

pytestmark = pytest.mark.django_db

# A fixed "now": the digests' day and the releases' window are read from it.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    """Ledger offers ledger-client and ledger-schemas; Tokens offers design-tokens. Billing's code uses
    ledger-client 2.1.0 and design-tokens ^1.0; Olga owns Billing, Max maintains it, Tom is a trusted
    committer of it (not an owner: not told)."""
    ledger = ProjectFactory(name="Ledger", business_unit__name="Finance")
    client = AssetFactory(
        project=ledger, name="ledger-client", package_url="pkg:maven/com.acme/ledger-client"
    )
    schemas = AssetFactory(
        project=ledger, name="ledger-schemas", package_url="pkg:npm/%40acme/ledger-schemas"
    )
    tokens = AssetFactory(name="design-tokens", package_url="pkg:npm/%40acme/design-tokens")
    billing = ProjectFactory(name="Billing", business_unit__name="Retail")
    olga, max_, tom = UserFactory(username="olga"), UserFactory(username="max"), UserFactory(username="tom")
    make_owner(billing, olga)
    ProjectRole.objects.create(project=billing, user=max_, role=ProjectRole.Role.MAINTAINER)
    ProjectRole.objects.create(project=billing, user=tom, role=ProjectRole.Role.TRUSTED_COMMITTER)
    billing_repo = RepositoryFactory(project=billing)
    uses(
        billing_repo,
        ("pkg:maven/com.acme/ledger-client", "2.1.0"),
        ("pkg:npm/%40acme/design-tokens", "^1.0.0"),
    )
    return {
        "ledger": ledger,
        "ledger_repo": RepositoryFactory(project=ledger),
        "tokens_repo": RepositoryFactory(project=tokens.project),
        "client": client,
        "schemas": schemas,
        "tokens": tokens,
        "billing": billing,
        "billing_repo": billing_repo,
        "olga": olga,
        "max": max_,
        "tom": tom,
    }


def uses(repository, *packages: tuple[str, str]) -> None:
    detected_adoptions_update(
        repository=repository,
        dependencies=[
            Dependency(purl, version, "pom.xml", n + 1) for n, (purl, version) in enumerate(packages)
        ],
        on=MONDAY,
    )


def release(
    repository, tag: str, *, days_ago: float = 1, draft: bool = False, prerelease: bool = False
) -> None:
    """The sync (or a webhook) records a release, through the upsert both use."""
    published = NOW - timedelta(days=days_ago)
    record = ReleaseRecord(
        forge_id=f"r-{tag}", tag=tag, name=tag, draft=draft, prerelease=prerelease, published_at=published
    )
    activity_upsert(repository=repository, batch=ActivityBatch(releases=[record]), announce=False)


def deprecate(project, *, user) -> None:
    """Its owners (here the program office) edit the project's lifecycle to Deprecated, nothing else."""
    fields = ProjectFields(
        name=project.name,
        description=project.description,
        business_unit=project.business_unit,
        lifecycle=Lifecycle.DEPRECATED,
        repository_urls=[r.url for r in project.repositories.all()],
        repository_forge=None,
    )
    project_update(project=project, user=user, fields=fields)


def notices(**filters) -> list[tuple[str, str, str, str, str]]:
    return sorted(
        (n.user.username, n.asset.name, n.consumer.name, n.kind, n.subject)
        for n in ConsumerNotice.objects.filter(**filters).select_related("user", "asset", "consumer")
    )


def digest_lines(user) -> list[str]:
    return [line["text"] for digest in ConsumerDigest.objects.filter(user=user) for line in digest.lines]


def test_a_release_notifies_each_consuming_projects_owners_once(world):
    for tag in ("v2.2.0", "v2.4.0"):
        release(world["ledger_repo"], tag)
    expected = [
        (person, asset, "Billing", "release", version)
        for person in ("max", "olga")
        for asset in ("ledger-client",)
        for version in ("2.2.0", "2.4.0")
    ]
    assert notices() == expected, "owners and maintainers, not trusted committers; each release once"
    # The same releases again (a re-sync, or a webhook and then the sync) record nothing new.
    release(world["ledger_repo"], "v2.4.0")
    release(world["ledger_repo"], "v2.2.0")
    assert notices() == expected
    assert consumer_digests_send(now=NOW).sent == 2
    assert digest_lines(world["olga"]) == [
        "ledger-client: 2 releases behind, 2.1.0 → 2.4.0 (used by Billing)"
    ]
    # Told: the next run, and the same release recorded again the next day, tell no one again.
    release(world["ledger_repo"], "v2.4.0")
    assert consumer_digests_send(now=NOW + timedelta(days=1)).sent == 0
    assert ConsumerDigest.objects.count() == 2
    # A newer release is told again, the next day.
    release(world["ledger_repo"], "v2.5.0", days_ago=0)
    assert consumer_digests_send(now=NOW + timedelta(days=1)).sent == 2
    assert (
        digest_lines(world["olga"])[-1] == "ledger-client: 3 releases behind, 2.1.0 → 2.5.0 (used by Billing)"
    )


def test_drafts_pre_releases_old_releases_and_versions_not_newer_tell_no_one(world):
    release(world["ledger_repo"], "v2.6.0", draft=True)
    release(world["ledger_repo"], "v3.0.0-rc1", prerelease=True)
    release(world["ledger_repo"], "v1.9.0")  # older than the 2.1.0 in use
    release(world["ledger_repo"], "v2.3.0", days_ago=60)  # history brought by a first sync
    assert notices() == []
    # A draft published later is a release then.
    release(world["ledger_repo"], "v2.6.0")
    assert {n[4] for n in notices()} == {"2.6.0"}


def test_deprecation_and_archival_are_told_once_each_with_the_version_in_use(world, program_office):
    ledger = world["ledger"]
    deprecate(ledger, user=program_office)
    assert notices() == [
        ("max", "ledger-client", "Billing", "deprecated", ""),
        ("olga", "ledger-client", "Billing", "deprecated", ""),
    ]
    deprecate(ledger, user=program_office)  # no change of lifecycle
    assert len(notices()) == 2
    consumer_digests_send(now=NOW)
    assert digest_lines(world["olga"]) == ["ledger-client: deprecated, 2.1.0 in use (used by Billing)"]
    project_archive(project=ledger, user=program_office)
    assert notices(kind="archived") == [
        ("max", "ledger-client", "Billing", "archived", ""),
        ("olga", "ledger-client", "Billing", "archived", ""),
    ]
    consumer_digests_send(now=NOW + timedelta(days=1))
    assert digest_lines(world["olga"])[-1] == "ledger-client: archived, 2.1.0 in use (used by Billing)"


def test_a_deprecation_says_how_far_behind_the_latest_release_the_consumer_is(world, program_office):
    # Released a month ago: history when recorded, told to no one, but the latest all the same.
    release(world["ledger_repo"], "v2.4.0", days_ago=30)
    assert notices() == []
    deprecate(world["ledger"], user=program_office)
    consumer_digests_send(now=NOW)
    assert digest_lines(world["olga"]) == [
        "ledger-client: deprecated, 1 release behind, 2.1.0 → 2.4.0 (used by Billing)"
    ]


def test_one_digest_a_day_per_person_names_each_asset_and_project(world, program_office):
    checkout = ProjectFactory(name="Checkout")
    make_owner(checkout, world["olga"])
    uses(RepositoryFactory(project=checkout), ("pkg:npm/%40acme/ledger-schemas", "1.0.0"))
    release(world["ledger_repo"], "v2.4.0")  # ledger-client (Billing) and ledger-schemas (Checkout)
    release(world["tokens_repo"], "1.2.0")
    deprecate(world["tokens"].project, user=program_office)
    run = consumer_digests_send(now=NOW)
    assert (run.sent, run.waiting) == (2, 0)
    digest = ConsumerDigest.objects.get(user=world["olga"])
    assert [line["text"] for line in digest.lines] == [
        "design-tokens: deprecated, 1 release behind, 1.0.0 → 1.2.0 (used by Billing)",
        "ledger-client: 1 release behind, 2.1.0 → 2.4.0 (used by Billing)",
        "ledger-schemas: 1 release behind, 1.0.0 → 2.4.0 (used by Checkout)",
    ]
    assert digest.lines[1]["url"] == world["client"].get_absolute_url()
    assert world["olga"].notifications.get() == digest.notification
    assert digest.notification.message.startswith("The catalog's assets your projects use: design-tokens")
    # Another release the same day waits for tomorrow's digest: one a day.
    release(world["ledger_repo"], "v2.5.0", days_ago=0)
    run = consumer_digests_send(now=NOW + timedelta(hours=3))
    assert (run.sent, run.waiting) == (0, 2)
    assert world["olga"].notifications.count() == 1
    assert consumer_digests_send(now=NOW + timedelta(days=1)).sent == 2
    assert world["olga"].notifications.count() == 2


def test_no_notice_for_a_projects_own_assets_or_an_unlisted_project(world):
    # The Ledger project's own code uses its client: no reuse, nobody told.
    ledger_owner = UserFactory(username="lena")
    make_owner(world["ledger"], ledger_owner)
    uses(world["ledger_repo"], ("pkg:maven/com.acme/ledger-client", "1.0.0"))
    # A project waiting for review uses it: not listed, not told.
    pending = ProjectFactory(name="Pending", review_status=ReviewStatus.PENDING)
    make_owner(pending, UserFactory(username="pat"))
    uses(RepositoryFactory(project=pending), ("pkg:maven/com.acme/ledger-client", "1.0.0"))
    # A project whose use ended is not told either.
    gone = ProjectFactory(name="Gone")
    make_owner(gone, UserFactory(username="gus"))
    gone_repo = RepositoryFactory(project=gone)
    uses(gone_repo, ("pkg:maven/com.acme/ledger-client", "1.0.0"))
    detected_adoptions_update(repository=gone_repo, dependencies=[], on=MONDAY)
    release(world["ledger_repo"], "v2.4.0")
    assert {n[0] for n in notices()} == {"olga", "max"}


def test_a_consumer_that_upgraded_or_lost_its_owner_before_the_digest_is_not_told(world):
    release(world["ledger_repo"], "v2.4.0")
    uses(world["billing_repo"], ("pkg:maven/com.acme/ledger-client", "2.4.0"))  # upgraded meanwhile
    run = consumer_digests_send(now=NOW)
    assert (run.sent, run.dropped) == (0, 2)
    assert not ConsumerDigest.objects.exists()
    assert not ConsumerNotice.objects.filter(handled_at__isnull=True).exists()


def test_the_digest_names_no_asset_of_a_project_its_reader_may_not_see(world):
    # Billing's owners are told of Billing, restricted or not (they may see it); ledger-client's project
    # restricted to another unit is not named to them.
    world["billing"].visibility = Visibility.UNITS
    world["billing"].save()
    release(world["ledger_repo"], "v2.4.0")
    release(world["tokens_repo"], "1.2.0")
    world["ledger"].visibility = Visibility.UNITS
    world["ledger"].save()
    consumer_digests_send(now=NOW)
    for person in ("olga", "max"):
        assert digest_lines(world[person]) == [
            "design-tokens: 1 release behind, 1.0.0 → 1.2.0 (used by Billing)"
        ]
        assert "ledger" not in world[person].notifications.get().message.lower()


def test_the_digest_is_e_mailed_after_commit_and_shown_on_the_notifications_page(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    # Tasks run inline here (the embedded mode): the recorded notices send the day's digests on commit.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        consumer_notices_for_releases(repository=world["ledger_repo"], tags=[])  # nothing to record
        release(world["ledger_repo"], "v2.4.0")
    assert mailoutbox == [] and not ConsumerDigest.objects.exists(), "nothing before commit"
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert ConsumerDigest.objects.count() == 2
    sent = {message.to[0]: message for message in mailoutbox}
    assert set(sent) == {"olga@example.com", "max@example.com"}
    body = sent["olga@example.com"].body
    assert "ledger-client: 1 release behind, 2.1.0 → 2.4.0 (used by Billing)" in body
    assert f"/catalog/{world['ledger'].slug}/" in body
    client.force_login(world["olga"])
    page = client.get("/notifications/").content.decode()
    assert "ledger-client: 1 release behind, 2.1.0 → 2.4.0 (used by Billing)" in page
    assert world["client"].get_absolute_url() in page


def test_the_admin_shows_notices_and_digests_read_only(world, client, office_admin):
    release(world["ledger_repo"], "v2.4.0")
    consumer_digests_send(now=NOW)
    client.force_login(office_admin)
    notices_page = client.get("/admin/catalog/consumernotice/")
    assert notices_page.status_code == 200
    assert "ledger-client" in notices_page.content.decode() and "Billing" in notices_page.content.decode()
    digest = ConsumerDigest.objects.get(user=world["olga"])
    digests_page = client.get("/admin/catalog/consumerdigest/").content.decode()
    assert world["olga"].username in digests_page
    detail = client.get(f"/admin/catalog/consumerdigest/{digest.pk}/change/").content.decode()
    assert "2.1.0 → 2.4.0" in detail and 'name="_save"' not in detail, "read-only"
    assert client.get("/admin/catalog/consumernotice/add/").status_code == 403
    response = client.post(f"/admin/catalog/consumerdigest/{digest.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and ConsumerDigest.objects.filter(pk=digest.pk).exists()
