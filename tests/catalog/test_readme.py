"""A synced README on the project page: rendered safely, its relative links and images on the forge."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog import readme as readme_module
from catalog.models import Visibility
from catalog.readme import readme_html, readme_render, readme_web_url, split_at_block
from tests.factories import BusinessUnitFactory, ProjectFactory, RepositoryFactory, UserFactory
from tests.test_html_injection import injections, markdown_payload

GITHUB = {"forge": "github", "web_url": "https://github.acme.example/acme/widgets", "branch": "main"}
GITLAB = {
    "forge": "gitlab",
    "web_url": "https://gitlab.acme.example/platform/ui/widgets",
    "branch": "release/2",
}
SYNCED = datetime(2026, 3, 1, tzinfo=UTC)

LINKS = """# Widgets

[guide](guide.md) [up](../CONTRIBUTING.md) [root](/src/main.py?plain=1#L3) [here](#usage)
[absolute](https://example.com/page) [mail](mailto:team@acme.example) [other host](//cdn.example/x)

![logo](img/logo.png) <img src="../assets/shot.png" alt="shot">
"""


def render(path: str, forge: dict) -> str:
    return str(readme_render(text=LINKS, path=path, **forge))


def test_relative_links_go_to_the_file_page_and_images_to_the_raw_file_on_github():
    html = render("README.md", GITHUB)
    base = GITHUB["web_url"]
    assert f'href="{base}/blob/main/guide.md"' in html
    assert f'href="{base}/blob/main/CONTRIBUTING.md"' in html, "../ does not climb above the root"
    assert f'href="{base}/blob/main/src/main.py?plain=1#L3"' in html
    assert f'href="{base}/blob/main/README.md#usage"' in html
    assert f'src="{base}/raw/main/img/logo.png"' in html
    assert f'src="{base}/raw/main/assets/shot.png"' in html


def test_a_nested_readme_resolves_from_its_own_folder_on_gitlab():
    html = render("docs/README.md", GITLAB)
    base = GITLAB["web_url"]
    assert f'href="{base}/-/blob/release/2/docs/guide.md"' in html
    assert f'href="{base}/-/blob/release/2/CONTRIBUTING.md"' in html
    assert f'href="{base}/-/blob/release/2/src/main.py?plain=1#L3"' in html, "/x is from the root"
    assert f'href="{base}/-/blob/release/2/docs/README.md#usage"' in html
    assert f'src="{base}/-/raw/release/2/docs/img/logo.png"' in html
    assert f'src="{base}/-/raw/release/2/assets/shot.png"' in html


def test_absolute_links_stay_and_plain_git_drops_relative_ones():
    for html in (
        render("README.md", GITHUB),
        render("README.md", {"forge": "git", "web_url": "", "branch": "main"}),
    ):
        assert 'href="https://example.com/page"' in html
        assert 'href="mailto:team@acme.example"' in html
        assert 'href="https://cdn.example/x"' in html
        assert 'rel="noopener noreferrer"' in html and "target=" not in html
    plain = render("README.md", {"forge": "git", "web_url": "", "branch": "main"})
    assert "guide.md" not in plain and "logo.png" not in plain and ">guide</a>" in plain


def test_headings_move_down_so_that_the_page_keeps_one_h1():
    html = str(readme_render(text="# One\n\n## Two\n\n###### Six\n", path="README.md", **GITHUB))
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html and "<h6>Six</h6>" in html


def test_scripts_event_handlers_and_script_links_are_stripped():
    html = str(readme_render(text=markdown_payload("XqReadme"), path="docs/README.md", **GITHUB))
    assert injections(html) == [], html
    assert "<script" not in html and "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html.lower() and "data:" not in html
    for marker in ("XqReadme heading", "XqReadmeLink", "XqReadmeRawLink", "XqReadmeClick"):
        assert marker in html


def test_a_readme_in_another_format_is_shown_as_text():
    html = str(readme_render(text="Title\n=====\n\n<script>x</script>", path="README.rst", **GITHUB))
    assert html == "<pre>Title\n=====\n\n&lt;script&gt;x&lt;/script&gt;</pre>"


def test_a_long_readme_is_split_at_a_block_and_a_short_one_is_not():
    html = "".join(
        f"<h3>Part {n}</h3>\n<p>{'text ' * 40}</p>\n<pre><code>a\n\nb</code></pre>\n" for n in range(40)
    )
    head, rest = split_at_block(html, limit=3000)
    assert head + rest == html and 3000 <= len(head) < 3500
    assert head.endswith(("</p>", "</pre>")), "whole blocks only"
    # Where the block that crosses the limit is a heading, the cut comes before it.
    paragraph = f"<p>{'x' * 2990}</p>\n"
    head, rest = split_at_block(f"{paragraph}<h3>Next</h3>\n<p>{'y' * 500}</p>", limit=3000)
    assert head == paragraph.rstrip("\n") and rest.lstrip().startswith("<h3>Next</h3>")
    assert split_at_block("<p>short</p>", limit=3000) == ("<p>short</p>", "")


@pytest.mark.django_db
def test_the_rendering_is_cached_per_readme_text(monkeypatch):
    cache.clear()
    repository = RepositoryFactory(
        url="https://github.com/acme/cached", readme_path="README.md", readme_text="# A\n"
    )
    calls = []
    original = readme_module.readme_render
    monkeypatch.setattr(readme_module, "readme_render", lambda **kw: calls.append(1) or original(**kw))

    first, second = readme_html(repository), readme_html(repository)
    repository.readme_text = "# B\n"
    third = readme_html(repository)

    assert len(calls) == 2
    assert first == second and "<h3>A</h3>" in first.head and "<h3>B</h3>" in third.head


@pytest.mark.django_db
def test_the_project_page_shows_the_readme_of_its_first_synced_repository(client):
    project = ProjectFactory(name="Widgets")
    RepositoryFactory(project=project, url="https://github.com/acme/a-unsynced", readme_path="README.md",
                      readme_text="# Never synced\n")  # fmt: skip
    repository = RepositoryFactory(
        project=project, url="git@github.com:acme/b-widgets.git", forge="github", default_branch="main",
        last_synced_at=SYNCED, readme_path="docs/README.md", readme_sha="c" * 40,
        readme_text="# Widgets\n\nRead [the guide](guide.md).\n\n![arch](../arch.png)\n",
    )  # fmt: skip

    page = client.get(reverse("catalog:project", kwargs={"slug": "widgets"})).content.decode()

    assert 'id="readme"' in page and "Never synced" not in page
    assert '<a href="https://github.com/acme/b-widgets/blob/main/docs/guide.md"' in page
    assert 'src="https://github.com/acme/b-widgets/raw/main/arch.png"' in page
    assert f'href="{readme_web_url(repository)}"' in page
    assert readme_web_url(repository) == "https://github.com/acme/b-widgets/blob/main/docs/README.md"
    assert "Show all" not in page and "longer than the portal keeps" not in page
    assert page.count("<h1") == 1
    assert injections(page) == []


@pytest.mark.django_db
def test_a_long_or_cut_readme_says_so_and_none_shows_nothing(client):
    project = ProjectFactory(slug="widgets")
    repository = RepositoryFactory(
        project=project, url="https://gitlab.com/acme/widgets", forge="gitlab", last_synced_at=SYNCED,
        readme_path="README.md", readme_text="\n\n".join(f"## Part {n}\n\n{'words ' * 80}" for n in range(30)),
        readme_truncated=True,
    )  # fmt: skip
    url = reverse("catalog:project", kwargs={"slug": "widgets"})

    page = client.get(url).content.decode()

    assert "<summary>Show all of the README</summary>" in page
    assert "longer than the portal keeps" in page
    assert 'href="https://gitlab.com/acme/widgets/-/blob/HEAD/README.md"' in page

    repository.readme_path = repository.readme_text = ""
    repository.save()
    assert 'id="readme"' not in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_restricted_projects_readme_never_shows_to_someone_outside_its_units(client):
    unit = BusinessUnitFactory(slug="risk")
    project = ProjectFactory(slug="vault", business_unit=unit, visibility=Visibility.UNITS)
    RepositoryFactory(project=project, last_synced_at=SYNCED, readme_path="README.md",
                      readme_text="# Vault\n\nsnarkhunt secret\n")  # fmt: skip
    url = reverse("catalog:project", kwargs={"slug": "vault"})

    client.force_login(UserFactory())
    answer = client.get(url)

    assert answer.status_code == 404 and "snarkhunt" not in answer.content.decode()
