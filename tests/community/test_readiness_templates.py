"""The readiness checklist and the starter kit agree: every item links to the library guide that helps
with it, and the kit holds a template for each file the checklist looks for, LICENSE and CODEOWNERS too."""

import pytest
from django.urls import reverse

from catalog.models import Repository
from catalog.readiness import READINESS_GUIDES, READINESS_KEYS, project_readiness
from community.library import template_render
from community.models import Guide, Practitioner
from tests.community.test_library import latest
from tests.factories import ProjectFactory, UserFactory, make_owner

pytestmark = pytest.mark.django_db


def test_every_readiness_item_names_a_guide_of_the_library():
    assert set(READINESS_GUIDES) == set(READINESS_KEYS)
    slugs = {slug for slug, _text in READINESS_GUIDES.values()}
    assert slugs <= set(Guide.objects.values_list("slug", flat=True))
    # Each file the checklist looks for has its template in the starter kit.
    kit = set(Guide.objects.filter(in_starter_kit=True).values_list("slug", flat=True))
    assert {slug for key, (slug, _text) in READINESS_GUIDES.items() if key != "GOOD_FIRST_ISSUE"} <= kit


def test_a_missing_item_links_to_its_template_filled_in_for_the_project(client):
    project = ProjectFactory(slug="ledger", declared_readiness=["README", "LICENSE"])
    page = client.get(project.get_absolute_url()).content.decode()
    codeowners = reverse("community:guide_detail", args=["codeowners"]) + "?project=ledger"
    assert f'<a href="{codeowners}">get the template</a>' in page
    assert reverse("community:guide_detail", args=["license"]) not in page  # declared: nothing to do
    readiness = project_readiness(project=project)
    assert (readiness["done"], readiness["total"]) == (2, 9)


@pytest.mark.parametrize(
    ("forge", "expected"), [("github", "* @ada-gh @max-gh\n"), ("gitlab", "* @ada-gl\n")]
)
def test_codeowners_names_the_owners_and_maintainers_by_their_forge_logins(forge, expected):
    project = ProjectFactory(name="Ledger")
    Repository.objects.create(project=project, forge=forge, url=f"https://{forge}.example.com/acme/ledger")
    for username, github, gitlab, role in [
        ("ada", "ada-gh", "ada-gl", "owner"),
        ("max", "max-gh", "", "maintainer"),
        ("tim", "tim-gh", "tim-gl", "trusted_committer"),  # reviews an area later, not everything
    ]:
        user = UserFactory(username=username, first_name=username.title())
        Practitioner.objects.create(
            user=user, display_name=username, github_login=github, gitlab_username=gitlab
        )
        project.roles.create(user=user, role=role)
    text = template_render(version=latest("codeowners"), project=project)
    assert text.endswith(expected)
    assert "Who reviews what in Ledger." in text


def test_without_a_project_codeowners_and_the_licence_show_what_to_fill_in():
    assert template_render(version=latest("codeowners"), project=None).endswith("* @owner-forge-login\n")
    licence = template_render(version=latest("license"), project=None)
    assert licence.startswith("Your project: InnerSource licence\n")
    assert "Owners: (the project owners)" in licence


def test_the_licence_names_the_project_its_unit_and_its_owners():
    project = ProjectFactory(name="Ledger", license="Apache-2.0")
    make_owner(project, UserFactory(username="ada", first_name="Ada", last_name="Lovelace"))
    licence = template_render(version=latest("license"), project=project)
    assert licence.startswith("Ledger: InnerSource licence\n")
    assert f"the owning company of {project.business_unit.name}" in licence
    assert "the project declares: Apache-2.0." in licence
    assert "Owners: Ada Lovelace" in licence
