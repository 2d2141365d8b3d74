"""The community's REST API: practitioners and their privacy, memberships, trusted committers, kudos,
badges and awards, guidelines and templates."""

from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from catalog.models import ProjectRole, ReviewStatus
from community.models import (
    Badge,
    BadgeAward,
    Guide,
    GuideVersion,
    Kudos,
    Membership,
    Practitioner,
    Skill,
    Stage,
)
from portal.services import api_token_create
from tests.api import EDITORS, SIGNED_IN, api, assert_error, statuses
from tests.community.state import community_state
from tests.factories import ROLES, BusinessUnitFactory, ProjectFactory, UserFactory, make_owner

pytestmark = pytest.mark.django_db


# --- reads need a signed-in person ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/practitioners/",
        "/api/v1/practitioners/target/",
        "/api/v1/memberships/",
        "/api/v1/trusted-committers/",
        "/api/v1/badges/",
        "/api/v1/badges/mentor/",
        "/api/v1/awards/",
        "/api/v1/guidelines/",
    ],
)
def test_an_anonymous_caller_gets_401_with_the_error_shape_on_every_read(world, path):
    response = api().get(path)
    assert_error(response, 401, None)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_personal_token_sent_as_a_bearer_authenticates_and_a_revoked_one_does_not(world):
    _record, token = api_token_create(user=world.member, name="laptop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/v1/practitioners/member/")
    assert response.status_code == 200
    assert response.json()["username"] == "member"
    # Writes too: the token's person leaves their own community.
    response = client.delete(f"/api/v1/memberships/{world.membership.pk}/")
    assert response.status_code == 204
    assert Membership.objects.get(pk=world.membership.pk).left_at is not None
    client.credentials(HTTP_AUTHORIZATION="Bearer isp_not-a-token")
    assert_error(client.get("/api/v1/practitioners/"), 401, None)


# --- practitioners -------------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    unit = BusinessUnitFactory(name="Retail", slug="retail")
    python = Skill.objects.create(name="Python")
    mentor = Badge.objects.get(slug="mentor")

    def mentor_in_retail(user, **profile) -> Practitioner:
        """`user`'s profile in Retail, and the mentor badge."""
        practitioner = Practitioner.objects.create(user=user, business_unit=unit, **profile)
        BadgeAward.objects.create(badge=mentor, user=user)
        return practitioner

    public = UserFactory(username="pat", email="pat@example.com")
    pat = mentor_in_retail(
        public,
        display_name="Pat Public",
        team="Checkout",
        bio="Tokens and types.",
        interests=["design systems"],
        github_login="pat-gh",
        github_login_verified=True,
        stage=Stage.CONTRIBUTOR,
        participation_level="active",
    )
    pat.skills.add(python)
    EmailAddress.objects.create(user=public, email="pat.private@example.com", verified=True)
    reserved = UserFactory(username="reserved")
    hidden_parts = {"show_badges": False, "show_activity": False, "show_projects": False}
    mentor_in_retail(reserved, display_name="Remy Reserved", bio="Here.", stage=Stage.STARTER, **hidden_parts)
    hidden = UserFactory(username="hidden")
    secret = mentor_in_retail(
        hidden,
        display_name="Hedda Hidden",
        team="Secret team",
        bio="Nobody reads this.",
        stage=Stage.TRUSTED_COMMITTER,
        visibility=Practitioner.Visibility.PRIVATE,
    )
    secret.skills.add(python)
    UserFactory(username="newcomer", first_name="Nina", last_name="New")  # no profile yet
    UserFactory(username="gone", is_active=False)
    return SimpleNamespace(unit=unit, public=public, reserved=reserved, hidden=hidden)


def by_username(response) -> dict:
    assert response.status_code == 200, response.content
    return {row["username"]: row for row in response.json()["results"]}


def test_colleagues_see_what_each_profile_shows_and_never_an_email_address(people, outsider):
    response = api(outsider).get("/api/v1/practitioners/?page_size=100")
    rows = by_username(response)
    assert "gone" not in rows
    assert rows["pat"] == {
        "username": "pat",
        "display_name": "Pat Public",
        "url": "/practitioners/pat/",
        "private": False,
        "business_unit": {"slug": "retail", "name": "Retail"},
        "team": "Checkout",
        "bio": "Tokens and types.",
        "skills": ["Python"],
        "interests": ["design systems"],
        "stage": "contributor",
        "participation_level": "active",
        "badges_count": 1,
    }
    # Badges (and with them the stage) and activity hidden: null, the rest of the profile shown.
    reserved = rows["reserved"]
    assert (reserved["stage"], reserved["participation_level"], reserved["badges_count"]) == (
        None,
        None,
        None,
    )
    assert reserved["bio"] == "Here."
    # A private profile: the name only, as on the profile page.
    assert rows["hidden"] == {
        "username": "hidden",
        "display_name": "Hedda Hidden",
        "url": "/practitioners/hidden/",
        "private": True,
        "business_unit": None,
        "team": None,
        "bio": None,
        "skills": None,
        "interests": None,
        "stage": None,
        "participation_level": None,
        "badges_count": None,
    }
    # Someone without a profile yet has the defaults a new profile would have.
    newcomer = rows["newcomer"]
    assert (newcomer["display_name"], newcomer["stage"], newcomer["skills"]) == ("Nina New", "explorer", [])
    assert "example.com" not in response.content.decode()
    assert "pat-gh" not in response.content.decode()


@pytest.mark.parametrize("viewer", ["self", "program_office"])
def test_the_person_and_the_program_office_see_a_private_profile_whole(people, program_office, viewer):
    user = people.hidden if viewer == "self" else program_office
    data = api(user).get("/api/v1/practitioners/hidden/").json()
    assert (data["team"], data["stage"], data["skills"], data["badges_count"]) == (
        "Secret team",
        "trusted_committer",
        ["Python"],
        1,
    )
    assert data["private"] is True


def test_a_practitioner_is_found_by_username_and_an_unknown_or_inactive_one_is_404(people, outsider):
    assert api(outsider).get("/api/v1/practitioners/pat/").json()["display_name"] == "Pat Public"
    assert_error(api(outsider).get("/api/v1/practitioners/gone/"), 404, None)
    assert_error(api(outsider).get("/api/v1/practitioners/nobody/"), 404, None)
    assert_error(api(outsider).get("/api/v1/practitioners/a%00b/"), 400, None)


@pytest.mark.parametrize(
    ("query", "for_colleagues", "for_office"),
    [
        ("stage=trusted_committer", set(), {"hidden"}),
        ("stage=starter", set(), {"reserved"}),
        ("stage=contributor", {"pat"}, {"pat"}),
        ("skill=python", {"pat"}, {"pat", "hidden"}),
        ("business_unit=retail", {"pat", "reserved"}, {"pat", "reserved", "hidden"}),
    ],
)
def test_filters_never_match_on_what_a_profile_hides(
    people, outsider, program_office, query, for_colleagues, for_office
):
    assert set(by_username(api(outsider).get(f"/api/v1/practitioners/?{query}"))) == for_colleagues
    assert set(by_username(api(program_office).get(f"/api/v1/practitioners/?{query}"))) == for_office


def test_people_without_a_profile_are_explorers_for_the_stage_filter(people, outsider):
    found = set(by_username(api(outsider).get("/api/v1/practitioners/?stage=explorer&page_size=100")))
    assert {"newcomer", "outsider"} <= found
    assert not found & {"pat", "reserved", "hidden"}


def test_practitioners_are_ordered_by_username_either_way(people, outsider):
    names = [
        r["username"]
        for r in api(outsider).get("/api/v1/practitioners/?ordering=-username").json()["results"]
    ]
    assert names == sorted(names, reverse=True)
    names = [r["username"] for r in api(outsider).get("/api/v1/practitioners/").json()["results"]]
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("query", "field"),
    [("stage=wizard", "stage"), ("skill=" + "x" * 61, "skill"), ("skill=a%00b", "skill")],
)
def test_an_invalid_filter_is_a_400_naming_the_parameter(people, outsider, query, field):
    assert_error(api(outsider).get(f"/api/v1/practitioners/?{query}"), 400, field)


def test_pages_are_bounded_and_a_page_out_of_range_is_a_json_404(people, outsider):
    UserFactory.create_batch(3)
    data = api(outsider).get("/api/v1/practitioners/?page_size=100000").json()
    assert len(data["results"]) == data["count"] <= 100
    assert len(api(outsider).get("/api/v1/practitioners/?page_size=2").json()["results"]) == 2
    assert_error(api(outsider).get("/api/v1/practitioners/?page=999"), 404, None)
    assert_error(api(outsider).get("/api/v1/practitioners/?page=abc"), 404, None)


def _practitioners(n: int) -> None:
    skills = [Skill.objects.get_or_create(name=f"Skill {k}")[0] for k in range(3)]
    unit = BusinessUnitFactory()
    badge = Badge.objects.get(slug="mentor")
    for _ in range(n):
        user = UserFactory()
        practitioner = Practitioner.objects.create(user=user, display_name=user.username, business_unit=unit)
        practitioner.skills.add(*skills)
        BadgeAward.objects.create(badge=badge, user=user)


@pytest.mark.parametrize("size", [3, 30])
def test_the_practitioner_list_runs_a_fixed_number_of_queries(outsider, django_assert_max_num_queries, size):
    _practitioners(size)
    client = api(outsider)
    with django_assert_max_num_queries(4):  # the office check, the count, the page, the skills
        response = client.get("/api/v1/practitioners/?page_size=100")
    assert response.json()["count"] == size + 1


# --- memberships ---------------------------------------------------------------------------------------

JOIN = {**statuses(201, to=SIGNED_IN), "member": 200}  # a member joining again: already one


@pytest.mark.parametrize("role", ROLES)
def test_joining_a_community_is_for_anyone_signed_in_and_only_as_themselves(world, role):
    user = world.actors[role]
    before = community_state()
    # Naming someone else changes nothing: the membership is always the caller's.
    response = api(user).post(
        "/api/v1/memberships/", {"project": "design-tokens", "user": "target"}, format="json"
    )
    assert response.status_code == JOIN[role], response.content
    assert not Membership.objects.filter(user=world.target).exists()
    if JOIN[role] == 401:
        assert_error(response, 401, None)
        assert community_state() == before
        return
    data = response.json()
    assert (data["project"], data["username"]) == ("design-tokens", user.username)
    assert Membership.objects.filter(project=world.project, user=user, left_at__isnull=True).count() == 1


LEAVE = statuses(204, to={"member"})


@pytest.mark.parametrize("role", ROLES)
def test_only_the_member_ends_their_membership(world, role):
    before = community_state()
    response = api(world.actors[role]).delete(f"/api/v1/memberships/{world.membership.pk}/")
    assert response.status_code == LEAVE[role], response.content
    if LEAVE[role] == 204:
        assert Membership.objects.get(pk=world.membership.pk).left_at is not None
    else:
        assert_error(response, LEAVE[role], None)
        assert community_state() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "project"),
        ({"project": ""}, "project"),
        ({"project": "no such project"}, "project"),
        ({"project": "no-such-project"}, "project"),
        ({"project": ["design-tokens"]}, "project"),
        ([], None),
    ],
)
def test_an_invalid_join_is_a_400_naming_the_field(world, outsider, payload, field):
    before = community_state()
    assert_error(api(outsider).post("/api/v1/memberships/", payload, format="json"), 400, field)
    assert community_state() == before


def test_malformed_json_is_a_400_and_another_content_type_a_415(world, outsider):
    client = api(outsider)
    assert_error(client.post("/api/v1/memberships/", "{", content_type="application/json"), 400, None)
    response = client.post("/api/v1/memberships/", "project=design-tokens", content_type="text/plain")
    assert_error(response, 415, None)


def test_a_pending_project_is_no_project_to_outsiders_and_not_joinable_by_its_owner(world, outsider, starter):
    pending = ProjectFactory(slug="pending", review_status=ReviewStatus.PENDING)
    make_owner(pending, starter)
    assert_error(
        api(outsider).post("/api/v1/memberships/", {"project": "pending"}, format="json"), 400, "project"
    )
    assert_error(api(starter).post("/api/v1/memberships/", {"project": "pending"}, format="json"), 403, None)
    assert not Membership.objects.filter(project=pending).exists()


def test_a_project_restricted_to_other_units_is_no_project_to_outsiders(world, outsider):
    unit = BusinessUnitFactory(slug="vault-unit")
    vault = ProjectFactory(slug="vault", business_unit=unit, visibility="units")
    insider = UserFactory(username="insider")
    Practitioner.objects.create(user=insider, display_name="Ina", business_unit=unit)
    Membership.objects.create(project=vault, user=insider)
    ProjectRole.objects.create(project=vault, user=world.target, role=ProjectRole.Role.TRUSTED_COMMITTER)
    before = community_state()
    client = api(outsider)
    assert_error(client.post("/api/v1/memberships/", {"project": "vault"}, format="json"), 400, "project")
    payload = {"username": "target", "message": "Thanks", "project": "vault"}
    assert_error(client.post("/api/v1/kudos/", payload, format="json"), 400, "project")
    assert client.get("/api/v1/memberships/?project=vault").json()["count"] == 0
    assert client.get("/api/v1/trusted-committers/?project=vault").json()["count"] == 0
    assert community_state() == before
    # Its own unit sees it and joins.
    assert api(insider).get("/api/v1/trusted-committers/?project=vault").json()["count"] == 1
    assert api(insider).post("/api/v1/memberships/", {"project": "vault"}, format="json").status_code == 200


def test_members_who_hide_their_projects_are_listed_only_to_themselves_and_the_projects_managers(
    world, outsider, starter, program_office
):
    Practitioner.objects.create(user=world.member, display_name="Mel", show_projects=False)
    path = "/api/v1/memberships/?project=design-tokens"
    assert api(outsider).get(path).json()["count"] == 0
    for viewer in (world.member, starter, program_office):
        results = api(viewer).get(path).json()["results"]
        assert [r["username"] for r in results] == ["member"]
    assert api(outsider).get("/api/v1/memberships/?username=member").json()["count"] == 0
    # Nor can they be left by id by those who cannot see them: 404, not 403.
    assert_error(api(outsider).delete(f"/api/v1/memberships/{world.membership.pk}/"), 404, None)


def test_memberships_are_filtered_by_project_and_person(world, outsider):
    other = ProjectFactory(slug="other")
    Membership.objects.create(project=other, user=outsider)
    data = api(outsider).get("/api/v1/memberships/?project=other").json()
    assert [(r["project"], r["username"]) for r in data["results"]] == [("other", "outsider")]
    data = api(outsider).get("/api/v1/memberships/?username=member").json()
    assert [(r["project"], r["display_name"]) for r in data["results"]] == [("design-tokens", "Mel Person")]


@pytest.mark.parametrize("size", [3, 30])
def test_the_membership_list_runs_a_fixed_number_of_queries(
    world, outsider, django_assert_max_num_queries, size
):
    for _ in range(size):
        Membership.objects.create(project=ProjectFactory(), user=UserFactory())
    # The office check, the viewer's business unit (restricted projects), the count, the page.
    with django_assert_max_num_queries(4):
        response = api(outsider).get("/api/v1/memberships/?page_size=100")
    assert response.json()["count"] == size + 1


@pytest.mark.parametrize("size", [3, 30])
def test_the_trusted_committer_list_runs_a_fixed_number_of_queries(
    world, outsider, django_assert_max_num_queries, size
):
    for _ in range(size):
        ProjectRole.objects.create(
            project=ProjectFactory(), user=UserFactory(), role=ProjectRole.Role.TRUSTED_COMMITTER
        )
    with django_assert_max_num_queries(4):
        response = api(outsider).get("/api/v1/trusted-committers/?page_size=100")
    assert response.json()["count"] == size + 1


# --- trusted committers --------------------------------------------------------------------------------

MANAGE = statuses(201, to=EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_only_maintainers_owners_and_the_office_appoint_trusted_committers(world, role):
    before = community_state()
    response = api(world.actors[role]).post(
        "/api/v1/trusted-committers/", {"project": "design-tokens", "username": "target"}, format="json"
    )
    assert response.status_code == MANAGE[role], response.content
    appointed = ProjectRole.objects.filter(
        project=world.project, user=world.target, role=ProjectRole.Role.TRUSTED_COMMITTER
    )
    if MANAGE[role] == 201:
        assert appointed.exists()
        assert response.json()["username"] == "target"
    else:
        assert_error(response, MANAGE[role], None)
        assert community_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_maintainers_owners_and_the_office_remove_trusted_committers(world, role):
    before = community_state()
    response = api(world.actors[role]).delete(f"/api/v1/trusted-committers/{world.committer_role.pk}/")
    expected = 204 if MANAGE[role] == 201 else MANAGE[role]
    assert response.status_code == expected, response.content
    if expected == 204:
        assert not ProjectRole.objects.filter(pk=world.committer_role.pk).exists()
    else:
        assert_error(response, expected, None)
        assert community_state() == before


def test_appointing_again_is_a_200_and_an_unknown_person_a_400(world, starter):
    client = api(starter)
    payload = {"project": "design-tokens", "username": "committer"}
    assert client.post("/api/v1/trusted-committers/", payload, format="json").status_code == 200
    before = community_state()
    payload = {"project": "design-tokens", "username": "nobody"}
    assert_error(client.post("/api/v1/trusted-committers/", payload, format="json"), 400, "username")
    payload = {"project": "design-tokens", "username": "bad name!"}
    assert_error(client.post("/api/v1/trusted-committers/", payload, format="json"), 400, "username")
    assert community_state() == before


def test_appointing_in_a_project_one_cannot_see_is_a_400_naming_the_project(world, starter):
    pending = ProjectFactory(slug="pending", review_status=ReviewStatus.PENDING)
    payload = {"project": "pending", "username": "target"}
    assert_error(api(starter).post("/api/v1/trusted-committers/", payload, format="json"), 400, "project")
    assert not ProjectRole.objects.filter(project=pending).exists()


def test_trusted_committers_are_listed_by_project(world, outsider):
    data = api(outsider).get("/api/v1/trusted-committers/?project=design-tokens").json()
    assert [(r["username"], r["display_name"]) for r in data["results"]] == [("committer", "Cody Person")]


# --- kudos ---------------------------------------------------------------------------------------------

KUDOS = statuses(201, to=SIGNED_IN)


@pytest.mark.parametrize("role", ROLES)
def test_anyone_signed_in_thanks_someone_else(world, role):
    before = community_state()
    payload = {"username": "target", "message": "Thanks for the <b>review</b>!", "project": "design-tokens"}
    response = api(world.actors[role]).post("/api/v1/kudos/", payload, format="json")
    assert response.status_code == KUDOS[role], response.content
    if KUDOS[role] == 201:
        kudos = Kudos.objects.get()
        assert (kudos.receiver, kudos.message, kudos.project) == (
            world.target,
            "Thanks for the review!",
            world.project,
        )
        assert response.json()["message"] == "Thanks for the review!"
    else:
        assert_error(response, 401, None)
        assert community_state() == before


def test_nobody_thanks_themselves_nor_a_private_profile(world, outsider):
    before = community_state()
    payload = {"username": "target", "message": "Me!"}
    assert_error(api(world.target).post("/api/v1/kudos/", payload, format="json"), 403, None)
    Practitioner.objects.filter(user=world.target).update(visibility=Practitioner.Visibility.PRIVATE)
    assert_error(api(outsider).post("/api/v1/kudos/", payload, format="json"), 403, None)
    assert community_state() == before


def test_kudos_need_no_project(world, outsider):
    response = api(outsider).post(
        "/api/v1/kudos/", {"username": "target", "message": "Thanks!"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["project"], response.json()["username"]) == (None, "target")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "target"}, "message"),
        ({"username": "target", "message": "<script>alert(1)</script>"}, "message"),
        ({"username": "target", "message": "x" * 501}, "message"),
        ({"username": "nobody", "message": "Thanks"}, "username"),
        ({"username": "target", "message": "Thanks", "project": "nope"}, "project"),
        ({"message": "Thanks"}, "username"),
    ],
)
def test_invalid_kudos_are_a_400_naming_the_field(world, outsider, payload, field):
    assert_error(api(outsider).post("/api/v1/kudos/", payload, format="json"), 400, field)
    assert not Kudos.objects.exists()


# --- badges and awards ---------------------------------------------------------------------------------


def test_badges_list_the_active_ones_with_their_holders_and_mine(people, outsider):
    Badge.objects.filter(slug="sprint-streak").update(active=False)
    BadgeAward.objects.create(badge=Badge.objects.get(slug="rule-keeper"), user=outsider)
    data = api(outsider).get("/api/v1/badges/?page_size=100").json()
    badges = {row["slug"]: row for row in data["results"]}
    assert "sprint-streak" not in badges
    assert (badges["mentor"]["holders"], badges["mentor"]["held_by_me"]) == (3, 0)
    assert (badges["rule-keeper"]["holders"], badges["rule-keeper"]["held_by_me"]) == (1, 1)
    assert badges["mentor"]["tier"] == "gold"
    gold = api(outsider).get("/api/v1/badges/?tier=gold").json()["results"]
    assert {row["tier"] for row in gold} == {"gold"}
    assert api(outsider).get("/api/v1/badges/mentor/").json()["url"] == "/badges/mentor/"
    assert_error(api(outsider).get("/api/v1/badges/nope/"), 404, None)
    assert_error(api(outsider).get("/api/v1/badges/?tier=platinum"), 400, "tier")


def test_awards_are_shown_only_where_the_profile_shows_badges(people, outsider, program_office):
    colleagues = api(outsider).get("/api/v1/awards/?badge=mentor").json()["results"]
    assert [row["username"] for row in colleagues] == ["pat"]
    office = api(program_office).get("/api/v1/awards/?badge=mentor").json()["results"]
    assert {row["username"] for row in office} == {"pat", "reserved", "hidden"}
    mine = api(people.hidden).get("/api/v1/awards/?username=hidden").json()["results"]
    assert [(row["badge"], row["tier"]) for row in mine] == [("mentor", "gold")]
    assert api(outsider).get("/api/v1/awards/?username=hidden").json()["count"] == 0


@pytest.mark.parametrize("size", [3, 30])
def test_badge_and_award_lists_run_a_fixed_number_of_queries(outsider, django_assert_max_num_queries, size):
    _practitioners(size)
    client = api(outsider)
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/awards/?page_size=100").json()["count"] == size
    with django_assert_max_num_queries(2):
        client.get("/api/v1/badges/?page_size=100")


# --- guidelines and templates --------------------------------------------------------------------------


@pytest.fixture
def library(db):
    guide = Guide.objects.create(slug="api-guide", title="An API guide", kind=Guide.Kind.GUIDE, summary="s")
    GuideVersion.objects.create(guide=guide, version=1, body="# Old")
    GuideVersion.objects.create(
        guide=guide,
        version=2,
        body="# Hello\n\n<script>alert(1)</script>[x](javascript:alert(1))",
        note="new",
    )
    template = Guide.objects.create(
        slug="api-readme", title="README", kind=Guide.Kind.TEMPLATE, summary="s", filename="README.md"
    )
    GuideVersion.objects.create(guide=template, version=1, body="# {{ project.name }}")
    broken = Guide.objects.create(
        slug="api-broken", title="Broken", kind=Guide.Kind.TEMPLATE, summary="s", filename="x.json"
    )
    GuideVersion.objects.create(guide=broken, version=1, body="{ not json")
    Guide.objects.create(slug="api-empty", title="Empty", kind=Guide.Kind.GUIDE, summary="s")
    return guide


def test_guidelines_list_the_library_with_versions_only(library, outsider):
    rows = {r["slug"]: r for r in api(outsider).get("/api/v1/guidelines/?page_size=100").json()["results"]}
    assert "api-empty" not in rows
    assert (rows["api-guide"]["kind"], rows["api-guide"]["latest_version"]) == ("guide", 2)
    templates = api(outsider).get("/api/v1/guidelines/?kind=template&page_size=100").json()["results"]
    assert {r["kind"] for r in templates} == {"template"}
    assert_error(api(outsider).get("/api/v1/guidelines/?kind=poem"), 400, "kind")


def test_a_guide_comes_as_markdown_and_sanitised_html(library, outsider):
    data = api(outsider).get("/api/v1/guidelines/api-guide/").json()
    assert data["version"] == 2
    assert data["body"].startswith("# Hello")
    assert "<h1>Hello</h1>" in data["body_html"]
    assert "<script" not in data["body_html"] and "javascript:" not in data["body_html"]
    assert (data["preview"], data["download_url"]) == (None, None)
    assert [v["version"] for v in data["versions"]] == [2, 1]
    old = api(outsider).get("/api/v1/guidelines/api-guide/?version=1").json()
    assert (old["version"], old["body"]) == (1, "# Old")
    assert_error(api(outsider).get("/api/v1/guidelines/api-guide/?version=9"), 404, None)
    assert_error(api(outsider).get("/api/v1/guidelines/api-guide/?version=-1"), 404, None)
    assert_error(api(outsider).get("/api/v1/guidelines/api-guide/?version=x"), 400, "version")
    assert_error(api(outsider).get("/api/v1/guidelines/api-guide/?version="), 400, "version")
    assert_error(api(outsider).get("/api/v1/guidelines/api-empty/"), 404, None)


def test_a_template_comes_with_its_preview_or_why_it_cannot_render(library, outsider):
    data = api(outsider).get("/api/v1/guidelines/api-readme/").json()
    assert (data["preview"], data["body_html"]) == ("# Your project", None)
    assert data["download_url"] == "/guidelines/api-readme/download/"
    broken = api(outsider).get("/api/v1/guidelines/api-broken/").json()
    assert broken["preview"] is None and "JSON" in broken["preview_error"]


@pytest.mark.parametrize("size", [3, 30])
def test_the_guideline_list_runs_a_fixed_number_of_queries(outsider, django_assert_max_num_queries, size):
    for n in range(size):
        guide = Guide.objects.create(slug=f"g-{n}", title=f"G {n}", kind=Guide.Kind.GUIDE, summary="s")
        GuideVersion.objects.create(guide=guide, version=1, body="x")
    with django_assert_max_num_queries(2):
        api(outsider).get("/api/v1/guidelines/?page_size=100")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_read_only_endpoints_refuse_writes_with_405(library, program_office, method):
    response = getattr(api(program_office), method)("/api/v1/guidelines/api-guide/", {}, format="json")
    assert_error(response, 405, None)
    assert GuideVersion.objects.filter(guide=library).count() == 2
