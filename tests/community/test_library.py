import io
import json
import zipfile

import pytest
import yaml
from django.urls import reverse

from catalog.descriptors import parse_catalog_info_yaml, parse_innersource_json
from catalog.models import Language, ProjectRole, Repository, ReviewStatus, Topic
from community.library import render_markdown, starter_kit_zip, template_render
from community.models import Guide, GuideVersion
from metrics.models import UsageEvent, UsageKind
from tests.factories import ProjectFactory, UserFactory, make_owner

pytestmark = pytest.mark.django_db

KIT_FILES = {
    "README.md",
    "CONTRIBUTING.md",
    "COMMUNICATION.md",
    "CODE_OF_CONDUCT.md",
    ".github/PULL_REQUEST_TEMPLATE.md",
    ".github/ISSUE_TEMPLATE/bug_report.md",
    "innersource.json",
    "catalog-info.yaml",
    "LICENSE",
    ".github/CODEOWNERS",
}
AWKWARD_NAME = 'Kafka "Connect": the\nnext: {generation} - [beta] # tools'


def latest(slug: str) -> GuideVersion:
    return GuideVersion.objects.select_related("guide").filter(guide__slug=slug).order_by("-version").first()


@pytest.fixture
def awkward_project():
    project = ProjectFactory(
        name=AWKWARD_NAME,
        slug="kafka-connect",
        description='Streams "events": fast\nand safe',
        motivation="Because: reasons",
        docs_url="https://docs.example.com/kafka",
        communication_url="https://chat.example.com/#kafka: help",
        contributions_wanted="- Documentation\n- Connectors for S3",
        skills_wanted=["Kafka", 'Java "17"'],
    )
    project.topics.add(Topic.objects.create(name="Event Streaming"))
    project.languages.add(Language.objects.create(name="Java"))
    Repository.objects.create(project=project, forge="github", url="https://github.com/acme/kafka-connect")
    owner = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    make_owner(project, owner)
    return project


def test_the_starting_library_exists_after_migrations():
    guides = set(Guide.objects.filter(kind=Guide.Kind.GUIDE).values_list("title", flat=True))
    assert {
        "How to contribute",
        "The trusted committer role",
        "How to start an InnerSource project",
        "The agile cadence",
    } <= guides
    kit = Guide.objects.filter(kind=Guide.Kind.TEMPLATE, in_starter_kit=True)
    assert set(kit.values_list("filename", flat=True)) >= KIT_FILES
    for guide in Guide.objects.filter(slug__in=["how-to-contribute", "readme", "catalog-info-yaml"]):
        assert guide.versions.filter(version=1).exists()
    cadence = latest("agile-cadence").body
    for word in ("two weeks", "Open", "Active", "Ongoing", "Dedicated"):
        assert word in cadence


def test_markdown_is_rendered_and_script_tags_are_stripped_with_their_content():
    html = render_markdown("# Title\n\nSome **bold** text.\n\n<script>alert('boom')</script>\n")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "alert" not in html


def test_markdown_event_handlers_and_javascript_links_are_removed():
    html = render_markdown(
        '<img src="x.png" onerror="alert(1)">\n\n'
        '[click](javascript:alert(2)) and <a href="JaVaScRiPt:alert(3)" onclick="alert(4)">this</a>\n\n'
        '<div style="background:url(x)" class="evil">styled</div>\n\n'
        "[safe](https://example.com/page)"
    )
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html.lower()
    assert "style=" not in html
    assert 'href="https://example.com/page"' in html
    assert 'rel="noopener noreferrer"' in html


def test_a_template_renders_with_the_projects_values(awkward_project):
    readme = template_render(version=latest("readme"), project=awkward_project)
    assert readme.startswith(f"# {AWKWARD_NAME}\n")
    assert "https://docs.example.com/kafka" in readme
    assert "Ada Lovelace" in readme
    assert "- Connectors for S3" in readme
    assert "https://github.com/acme/kafka-connect" in readme
    assert "{{" not in readme and "{%" not in readme


def test_without_a_project_the_placeholders_are_readable():
    readme = template_render(version=latest("readme"), project=None)
    assert readme.startswith("# Your project\n")
    assert "(link to your documentation)" in readme
    data = json.loads(template_render(version=latest("innersource-json"), project=None))
    assert data["title"] == "Your project"


def test_innersource_json_stays_valid_json_with_quotes_colons_and_newlines(awkward_project):
    text = template_render(version=latest("innersource-json"), project=awkward_project)
    data = json.loads(text)
    assert data["title"] == AWKWARD_NAME
    assert data["description"] == 'Streams "events": fast\nand safe'
    assert data["skills"] == ["Kafka", 'Java "17"']
    assert data["contributions"] == ["Documentation", "Connectors for S3"]
    # The catalog can register a project from the file it hands out.
    assert parse_innersource_json(text)["name"] == AWKWARD_NAME


def test_catalog_info_yaml_stays_valid_yaml_with_quotes_colons_and_newlines(awkward_project):
    text = template_render(version=latest("catalog-info-yaml"), project=awkward_project)
    entity = yaml.safe_load(text)
    assert entity["metadata"]["name"] == "kafka-connect"
    assert entity["metadata"]["title"] == AWKWARD_NAME
    assert entity["metadata"]["description"] == 'Streams "events": fast\nand safe'
    assert entity["metadata"]["tags"] == ["event-streaming"]
    assert {"title": "Chat channel", "url": "https://chat.example.com/#kafka: help"} in entity["metadata"][
        "links"
    ]
    assert parse_catalog_info_yaml(text)["name"] == AWKWARD_NAME


def test_the_starter_kit_zip_holds_every_kit_file_at_its_path(awkward_project):
    archive = zipfile.ZipFile(io.BytesIO(starter_kit_zip(project=awkward_project)))
    assert set(archive.namelist()) == set(
        Guide.objects.filter(kind=Guide.Kind.TEMPLATE, in_starter_kit=True).values_list("filename", flat=True)
    )
    assert set(archive.namelist()) >= KIT_FILES
    assert json.loads(archive.read("innersource.json"))["title"] == AWKWARD_NAME
    assert AWKWARD_NAME in archive.read("README.md").decode()


def test_the_library_page_lists_guides_and_templates(client):
    response = client.get(reverse("community:guidelines"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "How to contribute" in page
    assert "CONTRIBUTING.md" in page
    assert reverse("community:starter_kit") in page


def test_a_guide_page_renders_markdown_safely(client):
    guide = Guide.objects.create(slug="unsafe", title="Unsafe", kind=Guide.Kind.GUIDE, summary="s")
    GuideVersion.objects.create(guide=guide, version=1, body="## Hello\n\n<script>steal()</script>")
    response = client.get(reverse("community:guide_detail", args=["unsafe"]))
    page = response.content.decode()
    assert "<h2>Hello</h2>" in page
    assert "steal()" not in page


def test_an_old_version_stays_readable(client):
    guide = Guide.objects.get(slug="how-to-contribute")
    GuideVersion.objects.create(guide=guide, version=2, body="## Rewritten\n\nThe new text.", note="Rewrite")
    current = client.get(reverse("community:guide_detail", args=[guide.slug])).content.decode()
    assert "The new text." in current
    old = client.get(reverse("community:guide_detail", args=[guide.slug]), {"version": 1})
    assert old.status_code == 200
    page = old.content.decode()
    assert "Talk before you code" in page and "The new text." not in page
    assert "older version" in page
    assert client.get(reverse("community:guide_detail", args=[guide.slug]), {"version": 9}).status_code == 404


def test_an_owner_previews_a_template_filled_in_for_their_project(client, starter):
    project = ProjectFactory(name="Design Tokens")
    make_owner(project, starter)
    client.force_login(starter)
    response = client.get(reverse("community:guide_detail", args=["readme"]), {"project": "design-tokens"})
    page = response.content.decode()
    assert "# Design Tokens" in page
    assert f"{reverse('community:guide_download', args=['readme'])}?project=design-tokens" in page
    assert '<option value="design-tokens" selected>' in page


@pytest.fixture(autouse=True)
def _usage_written_directly(settings):
    """Downloads are counted as usage events; without Redis they are written at once, so tests read them."""
    settings.REDIS_URL = ""


def downloads():
    return UsageEvent.objects.filter(kind=UsageKind.TEMPLATE_DOWNLOAD)


def test_a_download_is_an_attachment_with_the_right_name_and_type_and_is_counted(client, starter):
    project = ProjectFactory(name="Design Tokens")
    client.force_login(starter)
    url = reverse("community:guide_download", args=["pull-request-template"])
    response = client.get(url, {"project": project.slug})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert 'filename="PULL_REQUEST_TEMPLATE.md"' in response["Content-Disposition"]
    assert "Design Tokens" in response.content.decode()
    download = downloads().get()
    assert (download.path, download.project, download.user) == (
        f"{url}?project=design-tokens",
        project,
        starter,
    )
    json_response = client.get(reverse("community:guide_download", args=["innersource-json"]))
    assert json_response["Content-Type"] == "application/json"
    assert downloads().count() == 2


def test_an_anonymous_visitor_downloads_the_unrendered_starter_kit_and_it_is_counted(client):
    response = client.get(reverse("community:starter_kit"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "innersource-starter-kit.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "# Your project" in archive.read("README.md").decode()
    download = downloads().get()
    assert download.path == reverse("community:starter_kit")
    assert download.user is None and download.project is None


def test_the_starter_kit_for_a_project_is_named_after_it_and_counted(client, starter):
    project = ProjectFactory(name="Design Tokens")
    make_owner(project, starter)
    client.force_login(starter)
    response = client.get(reverse("community:starter_kit"), {"project": "design-tokens"})
    assert "design-tokens-starter-kit.zip" in response["Content-Disposition"]
    assert (
        downloads().filter(path=reverse("community:starter_kit"), project=project, user=starter).count() == 1
    )


def test_an_old_template_version_can_be_downloaded(client):
    guide = Guide.objects.get(slug="readme")
    GuideVersion.objects.create(guide=guide, version=2, body="# {{ project.name }} v2\n")
    response = client.get(reverse("community:guide_download", args=["readme"]), {"version": 1})
    assert "Why it exists" in response.content.decode()
    assert downloads().get().path.endswith("?version=1")


def test_a_pending_project_of_someone_else_cannot_be_used_to_render(client, outsider):
    pending = ProjectFactory(name="Secret Plan", review_status=ReviewStatus.PENDING)
    make_owner(pending, UserFactory(username="planner"))
    for login in (None, outsider):
        if login:
            client.force_login(login)
        for url in (
            reverse("community:guide_detail", args=["readme"]),
            reverse("community:guide_download", args=["readme"]),
            reverse("community:starter_kit"),
        ):
            response = client.get(url, {"project": "secret-plan"})
            assert response.status_code == 404
            assert b"Secret Plan" not in response.content
    assert not downloads().exists()


def test_an_owner_may_render_their_own_pending_project(client, starter):
    pending = ProjectFactory(name="My Plan", review_status=ReviewStatus.PENDING)
    ProjectRole.objects.create(project=pending, user=starter, role=ProjectRole.Role.MAINTAINER)
    client.force_login(starter)
    response = client.get(reverse("community:guide_download", args=["readme"]), {"project": "my-plan"})
    assert response.status_code == 200
    assert response.content.decode().startswith("# My Plan")


def test_the_program_office_chooses_among_listed_projects(client, program_office):
    ProjectFactory(name="Listed One")
    ProjectFactory(name="Waiting One", review_status=ReviewStatus.PENDING)
    client.force_login(program_office)
    page = client.get(reverse("community:guide_detail", args=["readme"])).content.decode()
    assert 'value="listed-one"' in page
    assert 'value="waiting-one"' not in page


def test_a_guide_cannot_be_downloaded_as_a_template(client):
    response = client.get(reverse("community:guide_download", args=["how-to-contribute"]))
    assert response.status_code == 404
