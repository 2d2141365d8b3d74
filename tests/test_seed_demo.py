"""`manage.py seed_demo` builds the Acme Group demo organisation once, the same way every time, ending
at the moment it runs.

The module seeds once (the `seeded` fixture), under a frozen clock, and every test checks the dates
against it: the demo is dated from the clock, and no test depends on the day it runs. Each test runs in
a savepoint of the seeding's transaction, which is rolled back after the module.
"""

import io
import json
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from catalog.interop.export import export_sap
from catalog.models.assets import Adoption, AdoptionSource, Asset
from catalog.models.notices import ConsumerDigest
from catalog.models.notifications import Notification
from catalog.models.projects import BusinessUnit, Project, ProjectChange, ProjectRole, ReviewStatus
from catalog.models.radar import DuplicateCluster, DuplicateRun
from catalog.models.repositories import Forge, Repository
from catalog.models.search import EntryType, SearchEntry
from community.models import Practitioner, StageChange
from metrics import reports, snapshots
from metrics.models import (
    Comment,
    Commit,
    ForgeAccount,
    ManifestFile,
    PullRequest,
    Release,
    ReportSnapshot,
    Review,
    UsageEvent,
)
from metrics.selectors import reuse_value
from portal.demo import words

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the whole module (it takes half a minute) in a transaction rolled back
    at the end; each test runs in a savepoint inside it, so what one test changes, the next does not see.

    The clock stands still meanwhile: at 14:30:15 tomorrow, an afternoon (the seeding day then holds some
    of the demo's visits) after the test database was migrated (the migrations' rows, the published
    rules of engagement among them, are dated by the running clock). Yields the clock and the output."""
    tomorrow = timezone.now().date() + timedelta(days=1)
    moment = datetime.combine(tomorrow, time(14, 30, 15), tzinfo=UTC)
    with (
        django_db_blocker.unblock(),
        time_machine.travel(moment, tick=False) as traveller,
        transaction.atomic(),
    ):
        output = seed()
        yield traveller, output
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def clock(seeded):
    """The module's standing clock; a test that moves it leaves it where the seeding happened."""
    traveller, _output = seeded
    seeded_at = timezone.now()
    yield traveller
    traveller.move_to(seeded_at, tick=False)


MODELS = (
    BusinessUnit,
    User,
    Practitioner,
    EmailAddress,
    Project,
    ProjectRole,
    Repository,
    Asset,
    Adoption,
    ProjectChange,
    SearchEntry,
    Notification,
)


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def none_first(row: tuple) -> tuple:
    """A sort key for rows whose columns may be None (an adoption found in code was created by nobody)."""
    return tuple((value is not None, value) for value in row)


def content() -> dict[str, list[tuple]]:
    """Everything the seed wrote, without primary keys, so that two seeded databases can be compared."""
    return {
        "projects": sorted(
            (
                p.slug,
                p.name,
                p.business_unit.slug,
                p.lifecycle,
                p.review_status,
                p.featured,
                p.verified,
                p.activity_score,
                p.created_at,
                p.updated_at,
                p.created_by.username,
                tuple(sorted(t.name for t in p.topics.all())),
                tuple(sorted(lang.name for lang in p.languages.all())),
                tuple(p.declared_readiness),
                tuple(p.skills_wanted),
            )
            for p in Project.objects.select_related("business_unit", "created_by").prefetch_related(
                "topics", "languages"
            )
        ),
        "adoption counts": sorted(
            Asset.objects.annotate(n=Count("adoptions")).values_list("project__slug", "slug", "n")
        ),
        "adoptions": sorted(
            Adoption.objects.values_list(
                "asset__project__slug",
                "asset__slug",
                "business_unit__slug",
                "team",
                "product",
                "since",
                "ended_on",
                "created_by__username",
                "created_at",
                "source",
                "version",
                "manifest_path",
            ),
            key=none_first,
        ),
        "assets": sorted(
            Asset.objects.values_list(
                "project__slug", "slug", "kind", "url", "description", "created_at", "updated_at"
            )
        ),
        "repositories": sorted(
            (
                r.url,
                r.stars,
                r.forks,
                r.watchers,
                tuple(r.participation),
                tuple(r.files_present),
                r.last_synced_at,
            )
            for r in Repository.objects.all()
        ),
        "people": sorted(
            User.objects.values_list(
                "username",
                "email",
                "password",
                "date_joined",
                "practitioner__team",
                "practitioner__github_login",
            )
        ),
        "roles": sorted(
            ProjectRole.objects.values_list("project__slug", "user__username", "role", "created_at")
        ),
        "changes": sorted(
            ProjectChange.objects.values_list(
                "project__slug", "actor__username", "action", "note", "created_at"
            ),
            key=none_first,
        ),
        "search": sorted(
            SearchEntry.objects.values_list("entry_type", "path", "activity_score", "adoption_count")
        ),
        "pull_requests": sorted(
            PullRequest.objects.values_list(
                "repository__url", "number", "state", "author__login", "created_at", "merged_at"
            )
        ),
        "commits": sorted(Commit.objects.values_list("repository__url", "sha", "authored_at")),
        "stage changes": sorted(StageChange.objects.values_list("user__username", "to_stage", "created_at")),
        "usage": sorted(UsageEvent.objects.values_list("kind", "occurred_at", "path", "query", "quantity")),
    }


def relative(value, moment: datetime):
    """`value` (content(), or any part of it) with every moment and day counted from `moment`."""
    if isinstance(value, datetime):
        return value - moment
    if isinstance(value, date):
        return value - moment.date()
    if isinstance(value, dict):
        return {key: relative(inner, moment) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(relative(inner, moment) for inner in value)
    return value


def latest_moments() -> dict[str, datetime]:
    """When the last request, commit, review, comment, visit, adoption and stage change happened."""
    latest = {
        "pull request": PullRequest.objects.latest("created_at").created_at,
        "commit": Commit.objects.latest("authored_at").authored_at,
        "review": Review.objects.latest("submitted_at").submitted_at,
        "comment": Comment.objects.latest("created_at").created_at,
        "usage event": UsageEvent.objects.latest("occurred_at").occurred_at,
        "adoption": Adoption.objects.latest("created_at").created_at,
        "stage change": StageChange.objects.latest("created_at").created_at,
    }
    return latest


def assert_activity_ends_at(moment: datetime) -> None:
    """The demo's activity runs up to `moment`: requests, commits, reviews, comments and visits on its
    day or the day before (the busy kinds, several a day), adoptions and stage changes (rarer) in the
    weeks before it, nothing after it."""
    latest = latest_moments()
    for kind, at in latest.items():
        assert at <= moment, kind
    for kind in ("pull request", "commit", "review", "comment", "usage event"):
        assert latest[kind].date() >= moment.date() - timedelta(days=1), (kind, latest[kind])
    assert latest["usage event"].date() == moment.date()
    for kind in ("adoption", "stage change"):
        assert latest[kind] >= moment - timedelta(days=30), (kind, latest[kind])


def test_seeding_builds_a_whole_organisation_with_a_review_queue(seeded):
    _clock, output = seeded

    assert BusinessUnit.objects.count() == 8
    assert Practitioner.objects.count() >= 200
    assert Project.objects.count() == 60
    assert Asset.objects.count() == 150
    assert Adoption.objects.count() >= 300
    assert Project.objects.filter(review_status=ReviewStatus.PENDING).count() == 3
    sent_back = Project.objects.get(review_status=ReviewStatus.CHANGES_REQUESTED)
    assert sent_back.review_note
    assert Project.objects.listed().count() == 56
    assert "admin@acme.example / demo-admin" in output
    assert "office@acme.example / demo-office" in output
    assert "dev@acme.example / demo-dev" in output


def test_every_listed_project_and_its_assets_are_in_the_search_index():

    listed = set(Project.objects.listed().values_list("pk", flat=True))
    indexed = set(
        SearchEntry.objects.filter(entry_type=EntryType.PROJECT).values_list("project_id", flat=True)
    )
    assert indexed == listed
    listed_assets = Asset.objects.filter(project__in=listed).count()
    assert SearchEntry.objects.filter(entry_type=EntryType.ASSET).count() == listed_assets
    for word in ("kafka", "authentication"):
        assert SearchEntry.objects.filter(Q(name__icontains=word) | Q(keywords__icontains=word)).exists(), (
            word
        )


def test_the_radar_of_rebuilt_wheels_was_computed_and_is_not_empty():
    run = DuplicateRun.objects.get()
    assert run.full and run.entries == SearchEntry.objects.count()
    assert DuplicateCluster.objects.filter(business_units__gt=1).exists()


def test_a_second_run_says_the_data_is_there_and_changes_nothing():
    before = row_counts()

    output = seed()

    assert "Demo data already present; nothing to do." in output
    assert row_counts() == before


def test_the_admin_account_can_log_in_with_its_email_and_password():

    assert Client().login(email="admin@acme.example", password="demo-admin")
    admin = authenticate(username="admin@acme.example", password="demo-admin")
    assert admin is not None and admin.is_superuser and admin.is_staff
    assert admin.groups.filter(name=settings.PROGRAM_OFFICE_GROUP).exists()


def test_the_office_and_dev_accounts_have_the_roles_the_output_promises():

    office = authenticate(username="office@acme.example", password="demo-office")
    assert office is not None and office.is_staff and not office.is_superuser
    assert office.groups.filter(name=settings.PROGRAM_OFFICE_GROUP).exists()
    dev = authenticate(username="dev@acme.example", password="demo-dev")
    assert dev is not None and not dev.is_staff
    assert ProjectRole.objects.filter(user=dev, role=ProjectRole.Role.OWNER).count() == 2
    # Everyone's address is verified (commits count by it); these three also have passwords.
    signing_in = EmailAddress.objects.filter(user__in=[office, dev, User.objects.get(username="admin")])
    assert signing_in.filter(verified=True, primary=True).count() == 3
    assert User.objects.filter(password__startswith="!").count() == User.objects.count() - 3


def test_every_project_has_an_owner_maintainers_and_repositories():

    for project in Project.objects.annotate(
        owners=Count("roles", filter=Q(roles__role=ProjectRole.Role.OWNER), distinct=True),
        maintainers=Count("roles", filter=Q(roles__role=ProjectRole.Role.MAINTAINER), distinct=True),
        repos=Count("repositories", distinct=True),
    ):
        assert project.owners == 1, project
        assert 1 <= project.maintainers <= 2, project
        assert 1 <= project.repos <= 2, project
        assert project.created_by == project.roles.get(role=ProjectRole.Role.OWNER).user


def test_guidelines_and_docs_are_files_of_each_project_s_main_repository_so_sap_s_page_links_them():

    projects = Project.objects.prefetch_related(Prefetch("repositories", Repository.objects.order_by("pk")))
    for project in projects:
        main = project.repositories.all()[0]
        host = urlsplit(main.url).netloc
        if project.contributing_url:
            assert urlsplit(project.contributing_url).netloc == host or main.forge == Forge.GIT, project
            assert main.default_branch in project.contributing_url, project
            assert project.contributing_url.startswith(main.url) or main.forge == Forge.GIT, project
        if project.docs_url and main.forge != Forge.GIT:
            assert project.docs_url.startswith(main.url), project
    entries = json.loads(export_sap())
    github = [e for e in entries if e["html_url"].startswith("https://github.acme.example/")]
    with_guidelines = [e for e in github if "guidelines" in e["_InnerSourceMetadata"]]
    assert len(with_guidelines) >= len(github) // 2
    for entry in with_guidelines:
        assert entry["_InnerSourceMetadata"]["guidelines"] == "CONTRIBUTING.md"
        page = f"{entry['html_url']}/blob/{entry['default_branch']}/CONTRIBUTING.md"
        assert page == entry["_InnerSourceMetadata"]["portal"]["contributing_url"]


def test_readiness_shows_both_synced_and_declared_projects_and_one_sync_error():

    synced = Project.objects.filter(repositories__last_synced_at__isnull=False).distinct().count()
    assert 30 <= synced < 60
    assert Repository.objects.exclude(last_error="").count() == 1
    assert all(len(r.participation) == 52 for r in Repository.objects.all())


def test_synced_repositories_with_a_readme_show_it_on_their_project_page(client):

    with_readme = Repository.objects.exclude(readme_path="")
    assert with_readme.count() >= 10
    assert not with_readme.filter(last_synced_at__isnull=True).exists()
    repository = with_readme.filter(forge=Forge.GITHUB).select_related("project").first()
    assert repository is not None
    client.force_login(repository.project.roles.get(role=ProjectRole.Role.OWNER).user)
    page = client.get(repository.project.get_absolute_url()).content.decode()
    assert 'id="readme"' in page
    assert f"{repository.url}/raw/{repository.default_branch}/docs/architecture.png" in page


def test_popular_assets_are_adopted_by_several_other_business_units():

    top = Asset.objects.annotate(n=Count("adoptions")).order_by("-n").first()
    units = top.adoptions.exclude(business_unit=top.project.business_unit).values("business_unit").distinct()
    assert top.n >= 15
    assert units.count() >= 4
    ended = Adoption.objects.filter(ended_on__isnull=False).count()
    assert 0.05 <= ended / Adoption.objects.count() <= 0.2


def test_generated_dates_count_back_from_the_moment_of_seeding():
    seeded_at = timezone.now()

    assert not Project.objects.filter(Q(created_at__gt=seeded_at) | Q(updated_at__gt=seeded_at)).exists()
    assert not Asset.objects.filter(Q(created_at__gt=seeded_at) | Q(updated_at__gt=seeded_at)).exists()
    assert not Adoption.objects.filter(
        Q(since__gte=seeded_at.date()) | Q(ended_on__gte=seeded_at.date())
    ).exists()
    assert not ProjectChange.objects.filter(created_at__gt=seeded_at).exists()
    assert not Notification.objects.filter(created_at__gt=seeded_at).exists()
    oldest = Project.objects.order_by("created_at").first().created_at
    assert (seeded_at - oldest).days <= 3 * 366


def test_seeding_on_another_day_ends_on_that_day_with_the_same_content_moved_there(clock):
    seeded_at = timezone.now()
    assert_activity_ends_at(seeded_at)
    first, first_counts = relative(content(), seeded_at), row_counts()

    # Six weeks later: the same weekday and hour, and whole two-week sprints of the journey, so that the
    # weekly rhythm of the visits and the sprint streaks of the badges line up too.
    later = seeded_at + timedelta(weeks=6)
    clock.move_to(later, tick=False)
    output = seed("--reset")

    assert "Seeded Acme Group" in output
    assert_activity_ends_at(later)
    assert row_counts() == first_counts
    assert relative(content(), later) == first


def test_a_year_of_activity_is_written_through_the_sync_upserts_and_attributed_to_people():
    seeded_at = timezone.now()
    assert Commit.objects.filter(repository__forge="git").exists()  # plain git hosts have commits
    assert PullRequest.objects.count() > 1000
    assert Review.objects.filter(state="approved").count() > 500
    assert Comment.objects.filter(issue__isnull=False).exists()
    assert Comment.objects.filter(pull_request__isnull=False).exists()
    assert Release.objects.filter(prerelease=True).exists()
    # Contributions are linked to the practitioners through their e-mail addresses; bots are recognised.
    assert ForgeAccount.objects.filter(user__isnull=False).count() > 100
    assert ForgeAccount.objects.filter(login="dependabot[bot]", is_bot=True).exists()
    assert not PullRequest.objects.filter(merged_at__gt=seeded_at).exists()


def test_people_stand_at_every_stage_and_level_with_badges_derived_from_the_demo_activity():
    from community.models import (
        Badge,
        BadgeAward,
        Kudos,
        Membership,
        Practitioner,
        RulesAcceptance,
        StageChange,
    )

    assert set(Practitioner.objects.values_list("stage", flat=True)) == {
        "explorer",
        "contributor",
        "trusted_committer",
        "starter",
    }
    assert set(Practitioner.objects.values_list("participation_level", flat=True)) == {
        "open",
        "active",
        "ongoing",
        "dedicated",
    }
    # Every starting badge is held by someone, and every stage above Explorer has its recorded evidence.
    assert set(BadgeAward.objects.values_list("badge__slug", flat=True)) == set(
        Badge.objects.values_list("slug", flat=True)
    )
    assert (
        StageChange.objects.exclude(to_stage="explorer").count()
        == Practitioner.objects.exclude(stage="explorer").count()
    )
    assert Membership.objects.exists() and Kudos.objects.exists() and RulesAcceptance.objects.exists()


def test_a_year_of_portal_usage_is_recorded_and_rolled_up_for_the_dashboards():
    seeded_at = timezone.now()
    from metrics.models import DailyRollup, UsageEvent, UsageKind
    from metrics.reports import metrics_report

    year_start = seeded_at - timedelta(days=365)
    in_year = User.objects.filter(date_joined__gte=year_start, date_joined__lt=seeded_at).count()
    for kind in UsageKind.values:
        if kind == UsageKind.SIGN_UP:
            # Sign-ups are recorded at the people's date_joined, for those who joined within the year.
            assert UsageEvent.objects.filter(kind=kind).count() == in_year
        else:
            assert UsageEvent.objects.filter(kind=kind).exists(), kind
    assert not UsageEvent.objects.filter(
        Q(occurred_at__gte=seeded_at) | Q(occurred_at__lt=year_start)
    ).exists()
    assert UsageEvent.objects.filter(visitor__startswith="u:").exists()
    assert UsageEvent.objects.filter(visitor__startswith="v:").exists()
    searches = set(UsageEvent.objects.filter(kind=UsageKind.SEARCH).values_list("event_id", flat=True))
    clicks = UsageEvent.objects.filter(kind=UsageKind.RESULT_CLICK)
    assert set(clicks.values_list("search_event_id", flat=True)) <= searches
    assert clicks.count() < len(searches)
    assert UsageEvent.objects.filter(kind=UsageKind.SEARCH, result_count=0, query="cobol").exists()
    assert DailyRollup.objects.values("day").distinct().count() > 300

    end = seeded_at.date()
    report = metrics_report(start=end - timedelta(days=90), end=end)
    engagement = report["community_engagement"]
    for figure in ("active_visitors", "page_views", "searches", "zero_result_searches", "contribute_clicks"):
        assert engagement[figure] > 0, figure
    assert engagement["search_click_through_rate"] > 0
    assert report["reuse_and_collaboration"]["asset_consumptions"] > 0


HEADLINE_COUNTS = ("contributors", "change_requests_merged", "page_views", "asset_consumptions")


def test_the_dashboards_opened_right_after_seeding_show_the_last_buckets_as_busy_as_the_ones_before():
    seeded_at = timezone.now()
    client = Client()
    client.force_login(User.objects.get(username="office"))

    response = client.get(reverse("metrics:dashboard"))  # the default: the 90 whole days ending today

    assert response.status_code == 200
    trend = response.context["trend"]
    assert [b["state"] for b in trend] == ["complete"] * 6  # whole days only: nothing "so far"
    *earlier, last = trend
    for figure in HEADLINE_COUNTS:
        # No cliff at the end: the last bucket (ending yesterday) is like the one before and the rest.
        assert last[figure] >= 0.75 * earlier[-1][figure], figure
        assert last[figure] >= 0.75 * sum(b[figure] for b in earlier) / len(earlier), figure
    assert last["first_response_median_hours"] is not None
    # Nor against the previous 90 days: no headline count fell by more than a tenth.
    today = seeded_at.date()
    snapshot = ReportSnapshot.objects.get(scope_key="program", start=today - timedelta(days=90), end=today)
    data = snapshots.snapshot_data(snapshot)
    assert data["comparison"]["partial"] is False
    for figure, path, _better, _label in [h for hs in reports.HEADLINES.values() for h in hs]:
        if figure in HEADLINE_COUNTS:
            assert reports.headline_value(data["report"], path) >= 0.9 * data["previous"][figure], figure

    # Every featured or verified project shows the people who worked on it in the last bucket.
    showcased = Project.objects.listed().filter(Q(featured=True) | Q(verified=True))
    assert showcased.filter(featured=True).count() >= 5
    for project in showcased:
        response = client.get(reverse("metrics:project_dashboard", args=[project.slug]))
        assert response.status_code == 200
        assert response.context["trend"][-1]["contributors"] >= 1, project.name


def test_some_code_uses_libraries_of_the_catalog_found_in_its_manifests():
    detected = Adoption.objects.filter(source=AdoptionSource.DETECTED)
    assert detected.count() >= 20
    assert ManifestFile.objects.count() >= 10
    # Each was found where a manifest of the consuming repository names the asset's package.
    adoption = detected.select_related("repository", "asset").first()
    stored = ManifestFile.objects.get(repository=adoption.repository, path=adoption.manifest_path)
    assert adoption.asset.package_key in {d["purl"] for d in stored.dependencies}
    assert not detected.filter(asset__project=F("repository__project")).exists()


def test_a_library_named_for_a_platform_is_packaged_for_that_platform():
    assert words.asset_languages("Flags SDK for JVM", ["Go", "Kotlin", "Swift"]) == ["Kotlin"]
    assert words.asset_languages("Audit Trail for JVM", ["Kotlin", "Java"]) == ["Java"]
    assert words.asset_languages("Web SDK for JVM", ["Go"]) == []
    # In the demo, a JVM SDK of a project written in Go, Kotlin, Swift and TypeScript is a Maven package.
    flags = Asset.objects.get(name="Flags SDK for JVM")
    assert [language.name for language in flags.languages.all()] == ["Kotlin"]
    assert flags.package_url == "pkg:maven/com.acme/flags-sdk-for-jvm"


def test_the_value_of_reuse_shows_figures_on_the_first_run():
    sized = Repository.objects.exclude(code_lines_basis="")
    assert sized.count() >= 20 and sized.filter(forge="gitlab").exists()
    assert not sized.exclude(forge__in=["github", "gitlab"]).exists(), "plain git is not synced in the demo"
    today = timezone.now().date()
    value = reuse_value(projects=None, start=today - timedelta(days=365), end=today)
    assert value["effort_saved_days"] > 0 and value["reusing_teams"] >= 50
    assert value["value"] is not None and value["value_to_program_cost"] is not None
    assert len(value["assumptions"]["overrides"]) >= 1
    # Every effort set by hand is in the project's audit trail.
    for asset in Asset.objects.exclude(effort_days_override=None):
        assert ProjectChange.objects.filter(project=asset.project, note__contains=asset.name).exists()


def test_the_developer_finds_a_consumer_digest_in_their_notifications(client):
    """A library used by a project the developer maintains published a release after the manifests were
    read: the day's digest names it, the version in use and the latest (issue 18)."""
    dev = User.objects.get(username="dev")
    digest = ConsumerDigest.objects.get(user=dev)
    assert digest.day == timezone.now().date()
    assert digest.lines and all(
        "releases behind" in line["text"] or "release behind" in line["text"] for line in digest.lines
    )
    assert digest.notification.user == dev and digest.notification.read_at is None
    assert not Notification.objects.filter(created_at__gt=timezone.now()).exists()
    client.force_login(dev)
    page = client.get(reverse("portal:notifications")).content.decode()
    assert escape(digest.lines[0]["text"]) in page
