"""discover_repos: an organisation's repositories with a topic become registrations to review."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Notification, Project, ProjectChange, Repository, ReviewStatus
from tests.factories import BusinessUnitFactory, ProjectFactory, RepositoryFactory
from tests.metrics.fakeforge import Answer


def found(name: str, description: str | None = "Shared widgets") -> dict:
    return {
        "name": name,
        "full_name": f"acme/{name}",
        "html_url": f"https://github.acme.example/Acme/{name}",
        "description": description,
        "topics": ["inner-source"],
    }


@pytest.fixture
def search(settings, fake_forge):
    settings.GITHUB_API_URL = fake_forge.url
    fake_forge.paginate(
        "/search/repositories",
        [
            {
                "total_count": 3,
                "incomplete_results": False,
                "items": [found("widgets"), found("gadgets", None)],
            },
            {"total_count": 3, "incomplete_results": False, "items": [found("already-here")]},
        ],
    )
    return fake_forge


@pytest.fixture
def unit(db):
    return BusinessUnitFactory(name="Platform", slug="platform")


@pytest.fixture
def known(db):
    url = "https://github.acme.example/acme/already-here"
    return RepositoryFactory(
        project=ProjectFactory(slug="already-here"), url=url, full_name="acme/already-here"
    )


def discover(*args: str) -> str:
    out = StringIO()
    call_command("discover_repos", "--org", "acme", *args, stdout=out)
    return out.getvalue()


def test_discovered_repositories_become_pending_projects(search, unit, known, program_office):
    output = discover("--business-unit", "platform")

    widgets = Project.objects.get(name="widgets")
    assert (widgets.review_status, widgets.business_unit, widgets.description) == (
        ReviewStatus.PENDING,
        unit,
        "Shared widgets",
    )
    assert Project.objects.get(name="gadgets").description == "Discovered on GitHub"
    repository = widgets.repositories.get()
    assert (repository.forge, repository.url, repository.full_name) == (
        "github",
        "https://github.acme.example/Acme/widgets",  # as GitHub spells it
        "acme/widgets",
    )
    change = ProjectChange.objects.get(project=widgets)
    assert (change.action, change.note) == (
        "registered",
        "discovered on GitHub (org acme, topic inner-source)",
    )
    assert Project.objects.filter(review_status=ReviewStatus.PENDING).count() == 2
    assert "created: acme/widgets" in output and "created: acme/gadgets" in output
    assert "skipped: acme/already-here" in output
    assert Notification.objects.filter(
        user=program_office, message__contains="2 projects discovered"
    ).exists()


def test_the_search_asks_for_the_organisation_and_the_topic_and_follows_the_pages(search, unit):
    discover("--topic", "shared", "--business-unit", "platform")

    first, second = (path for path, _ in search.requests)
    assert "q=org%3Aacme+topic%3Ashared" in first
    assert "page=2" in second
    assert search.counts["/search/repositories"] == 2


def test_a_second_discovery_creates_nothing(search, unit, known):
    discover("--business-unit", "platform")
    projects, changes = Project.objects.count(), ProjectChange.objects.count()

    output = discover("--business-unit", "platform")

    assert (Project.objects.count(), ProjectChange.objects.count()) == (projects, changes)
    assert output.count("skipped:") == 3 and "created:" not in output


def test_a_repository_registered_in_another_case_before_its_first_sync_is_not_discovered_again(search, unit):
    registered = Repository.objects.create(
        project=ProjectFactory(slug="widgets-here"),
        forge="github",
        url="https://github.acme.example/acme/widgets",
    )

    output = discover("--business-unit", "platform")

    assert "skipped: acme/widgets" in output
    assert list(Repository.objects.filter(full_name="acme/widgets")) == []
    assert Repository.objects.filter(url__iexact=registered.url).count() == 1


def test_an_unknown_business_unit_is_refused_before_searching(search, unit):
    with pytest.raises(CommandError, match="No business unit with the slug 'nowhere'"):
        discover("--business-unit", "nowhere")

    assert search.total() == 0
    assert not Project.objects.exists()


def test_a_failed_search_is_a_clear_command_error(search, unit):
    search.script("/search/repositories", Answer(422, {"message": "Validation Failed"}))

    with pytest.raises(CommandError, match="The search failed"):
        discover("--business-unit", "platform")

    assert not Project.objects.exists()
