"""People in the community: profiles and their privacy, memberships, trusted committers, rules, kudos."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.urls import resolve, reverse
from django.utils import timezone

from catalog.models import Forge, Notification, ProjectChange, ProjectRole, Repository, ReviewStatus
from community import selectors, services
from community.models import Badge, BadgeAward, Kudos, Membership, Practitioner, RulesAcceptance, RulesVersion
from metrics.models import ForgeAccount, PullRequest, Review, State
from tests.community.state import community_state
from tests.factories import ROLES, BusinessUnitFactory, ProjectFactory, UserFactory, make_owner


@pytest.fixture
def journey_calls(monkeypatch):
    """Records whom the services ask the journey to re-evaluate; the real evaluation still runs (the
    journey itself is tested in test_journey.py)."""
    from community import journey
    from community import services as community_services

    calls: list[list[int]] = []

    def spy(*, user_ids):
        calls.append(list(user_ids))
        return journey.people_evaluate(user_ids=user_ids)

    monkeypatch.setattr(community_services, "people_evaluate", spy)
    return calls


def publish_rules(body: str = "1. **Open everything**\n2. Failure is necessary") -> RulesVersion:
    latest = RulesVersion.objects.order_by("-version").first()
    return RulesVersion.objects.create(
        version=(latest.version if latest else 0) + 1,
        body=body,
        published_at=timezone.now() - timedelta(seconds=1),
    )


def _post_join(w, actor):
    return reverse("community:join", args=[w.project.slug]), {}


def _post_leave(w, actor):
    if actor is not None:
        Membership.objects.get_or_create(project=w.project, user=actor, left_at=None)
    return reverse("community:leave", args=[w.project.slug]), {}


def _post_appoint(w, actor):
    return reverse("community:trusted_committer_appoint", args=[w.project.slug]), {"user": "target"}


def _post_remove(w, actor):
    return reverse("community:trusted_committer_remove", args=[w.project.slug]), {"user": "committer"}


def _post_profile(w, actor):
    return reverse("community:profile_edit"), {"display_name": "Renamed", "visibility": "company"}


def _post_kudos(w, actor):
    return reverse("community:kudos", args=["target"]), {"message": "Thanks for the review!"}


def _post_rules(w, actor):
    return reverse("community:rules"), {"version": str(publish_rules().version)}


def _joined(w, actor):
    return Membership.objects.filter(project=w.project, user=actor, left_at__isnull=True).count() == 1


def _left(w, actor):
    return not Membership.objects.filter(project=w.project, user=actor, left_at__isnull=True).exists()


def _appointed(w, actor):
    return ProjectRole.objects.filter(project=w.project, user=w.target, role="trusted_committer").exists()


def _removed(w, actor):
    return not ProjectRole.objects.filter(
        project=w.project, user=w.committer, role="trusted_committer"
    ).exists()


def _profile_saved(w, actor):
    # Only the actor's own profile changed: the URL names nobody else.
    return (
        Practitioner.objects.get(user=actor).display_name == "Renamed"
        and Practitioner.objects.get(user=w.target).display_name == "Tara Target"
    )


def _thanked(w, actor):
    return Kudos.objects.filter(giver=actor, receiver=w.target, message="Thanks for the review!").exists()


def _accepted(w, actor):
    return RulesAcceptance.objects.filter(user=actor, rules=RulesVersion.current()).exists()


EVERYONE_SIGNED_IN = set(ROLES) - {"anonymous"}
MANAGERS = {"maintainer", "owner", "program_office"}
WRITES = {
    "join": (_post_join, _joined, EVERYONE_SIGNED_IN),
    "leave": (_post_leave, _left, EVERYONE_SIGNED_IN),
    "appoint a trusted committer": (_post_appoint, _appointed, MANAGERS),
    "remove a trusted committer": (_post_remove, _removed, MANAGERS),
    "edit one's profile": (_post_profile, _profile_saved, EVERYONE_SIGNED_IN),
    "give kudos": (_post_kudos, _thanked, EVERYONE_SIGNED_IN),
    "accept the rules": (_post_rules, _accepted, EVERYONE_SIGNED_IN),
}
CASES = [(write, who, who in WRITES[write][2]) for write in WRITES for who in ROLES]


@pytest.mark.parametrize(("write", "who", "allowed"), CASES, ids=[f"{w}-{who}" for w, who, _ in CASES])
def test_every_write_is_allowed_only_to_the_right_people_and_a_refused_write_changes_nothing(
    client, world, journey_calls, write, who, allowed
):
    prepare, succeeded, _ = WRITES[write]
    actor = world.actors[who]
    url, data = prepare(world, actor)
    if actor is not None:
        client.force_login(actor)
    before = community_state()
    response = client.post(url, data)
    if allowed:
        assert response.status_code == 302, response.content.decode()[:500]
        assert succeeded(world, actor)
    else:
        assert response.status_code == (302 if actor is None else 403)
        if actor is None:
            assert reverse("account_login") in response["Location"]
        assert community_state() == before
        assert journey_calls == []


def test_kudos_to_oneself_are_refused_and_change_nothing(client, world):
    client.force_login(world.target)
    before = community_state()
    response = client.post(reverse("community:kudos", args=["target"]), {"message": "Well done me"})
    assert response.status_code == 403
    assert community_state() == before
    with pytest.raises(PermissionDenied, match="others"):
        services.kudos_give(giver=world.target, receiver=world.target, message="Well done me")


def test_joining_an_unlisted_project_is_refused(client, world, outsider, starter):
    pending = ProjectFactory(slug="pending-thing", review_status=ReviewStatus.PENDING)
    make_owner(pending, starter)
    client.force_login(outsider)
    assert client.post(reverse("community:join", args=[pending.slug])).status_code == 404
    client.force_login(starter)
    assert client.post(reverse("community:join", args=[pending.slug])).status_code == 403
    assert not Membership.objects.filter(project=pending).exists()


# Memberships --------------------------------------------------------------------------------------


def test_joining_twice_keeps_one_active_membership(world, outsider, journey_calls):
    first = services.membership_join(project=world.project, user=outsider)
    second = services.membership_join(project=world.project, user=outsider)
    assert first.pk == second.pk
    assert Membership.objects.filter(project=world.project, user=outsider).count() == 1
    assert journey_calls == [[outsider.pk]]


def test_leaving_then_rejoining_keeps_the_history_and_one_active_membership(world, journey_calls):
    assert services.membership_leave(project=world.project, user=world.member) is True
    assert services.membership_leave(project=world.project, user=world.member) is False
    services.membership_join(project=world.project, user=world.member)
    rows = Membership.objects.filter(project=world.project, user=world.member)
    assert rows.count() == 2
    assert rows.filter(left_at__isnull=True).count() == 1
    assert journey_calls == [[world.member.pk], [world.member.pk]]


def test_the_project_page_offers_to_join_or_leave_and_links_to_the_members(client, world, outsider):
    url = world.project.get_absolute_url()
    page = client.get(url).content.decode()
    assert "Join the community" in page and reverse("account_login") in page
    assert reverse("community:members", args=[world.project.slug]) in page
    client.force_login(outsider)
    page = client.get(url).content.decode()
    assert reverse("community:join", args=[world.project.slug]) in page
    assert "Leave the community" not in page
    response = client.post(reverse("community:join", args=[world.project.slug]), {"next": url})
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "Leave the community" in page and reverse("community:leave", args=[world.project.slug]) in page
    client.post(reverse("community:leave", args=[world.project.slug]), {"next": url})
    assert "Join the community" in client.get(url).content.decode()


def test_an_owner_is_not_offered_to_leave_the_community_they_lead(client, world, starter):
    services.membership_join(project=world.project, user=starter)
    client.force_login(starter)
    for url in (world.project.get_absolute_url(), reverse("community:members", args=[world.project.slug])):
        page = client.get(url).content.decode()
        assert (
            "Leave the community" not in page
            and reverse("community:leave", args=[world.project.slug]) not in page
        )
    client.force_login(world.member)  # a member who holds no role still may
    for url in (world.project.get_absolute_url(), reverse("community:members", args=[world.project.slug])):
        assert "Leave the community" in client.get(url).content.decode()


def test_the_appoint_list_offers_only_members_who_hold_no_role(client, world, starter):
    maintainer = next(u for r, u in world.actors.items() if r == "maintainer")
    for person in (starter, maintainer, world.committer):  # role holders who are members too
        services.membership_join(project=world.project, user=person)
    client.force_login(starter)
    page = client.get(reverse("community:members", args=[world.project.slug])).content.decode()
    offered = page.split('<select id="appoint-user" name="user">')[1].split("</select>")[0]
    assert 'value="member"' in offered
    for holder in ("starter", "maintainer", "committer"):
        assert f'value="{holder}"' not in offered


def test_the_members_page_lives_beside_the_catalog_pages():
    assert resolve("/catalog/design-tokens/community/").view_name == "community:members"
    assert resolve("/catalog/design-tokens/community/join/").view_name == "community:join"
    assert resolve("/catalog/design-tokens/community/leave/").view_name == "community:leave"
    assert resolve("/catalog/design-tokens/").view_name == "catalog:project"
    assert resolve("/catalog/design-tokens/edit/").view_name == "catalog:edit"


def test_the_members_page_hides_members_who_keep_their_projects_private_except_from_maintainers(
    client, world, outsider
):
    shy = UserFactory(username="shy")
    Practitioner.objects.create(user=shy, display_name="Shy Person", show_projects=False)
    Membership.objects.create(project=world.project, user=shy)
    url = reverse("community:members", args=[world.project.slug])
    client.force_login(outsider)
    page = client.get(url).content.decode()
    assert "Shy Person" not in page
    assert "1 member who keeps their projects private" in page
    assert "Proposed trusted committers" not in page
    client.force_login(world.actors["maintainer"])
    page = client.get(url).content.decode()
    assert "Shy Person" in page and "Proposed trusted committers" in page
    client.force_login(shy)
    assert "Shy Person" in client.get(url).content.decode()


# Trusted committers -------------------------------------------------------------------------------


def test_appointing_a_trusted_committer_records_notifies_and_reevaluates_the_journey(
    world, program_office, journey_calls
):
    services.trusted_committer_appoint(project=world.project, user=world.target, by=program_office)
    services.trusted_committer_appoint(project=world.project, user=world.target, by=program_office)
    assert (
        ProjectRole.objects.filter(project=world.project, user=world.target, role="trusted_committer").count()
        == 1
    )
    change = ProjectChange.objects.get(project=world.project)
    assert "appointed Tara Target trusted committer" in change.note and change.actor == program_office
    assert (
        Notification.objects.filter(
            user=world.target, message__contains="appointed you trusted committer"
        ).count()
        == 1
    )
    assert journey_calls == [[world.target.pk]]
    assert services.trusted_committer_remove(project=world.project, user=world.target, by=program_office)
    assert not services.trusted_committer_remove(project=world.project, user=world.target, by=program_office)
    assert ProjectChange.objects.filter(project=world.project, note__contains="removed Tara Target").exists()
    assert journey_calls == [[world.target.pk], [world.target.pk]]


def test_the_service_refuses_an_appointment_by_someone_who_does_not_run_the_project(world):
    with pytest.raises(PermissionDenied, match="maintainers and owners"):
        services.trusted_committer_appoint(project=world.project, user=world.target, by=world.member)
    assert not ProjectRole.objects.filter(user=world.target).exists()


def _activity(project, *, person, merged: int, reviews: int, now, own_reviews: int = 0, old_reviews: int = 0):
    """`merged` requests merged by the person, and reviews by them of others' (and their own) requests."""
    repository, _ = Repository.objects.get_or_create(
        url=f"https://github.com/acme/{project.slug}", defaults={"project": project, "forge": Forge.GITHUB}
    )
    account = ForgeAccount.objects.create(forge=Forge.GITHUB, login=person.username, user=person)
    other = ForgeAccount.objects.get_or_create(forge=Forge.GITHUB, login="someone-else")[0]
    number = PullRequest.objects.filter(repository=repository).count()
    when = now - timedelta(days=3)

    def request(author, merged_at=None):
        nonlocal number
        number += 1
        return PullRequest.objects.create(
            repository=repository,
            forge_id=number,
            number=number,
            state=State.MERGED if merged_at else State.OPEN,
            author=author,
            created_at=when,
            updated_at=when,
            merged_at=merged_at,
        )

    mine = [request(account, merged_at=when) for _ in range(merged)]
    for index, (target, submitted) in enumerate(
        [(request(other), when) for _ in range(reviews)]
        + [(mine[i % max(len(mine), 1)], when) for i in range(own_reviews)]
        + [(request(other), now - timedelta(days=400)) for _ in range(old_reviews)]
    ):
        Review.objects.create(
            pull_request=target,
            forge_id=10_000 + index,
            author=account,
            state="approved",
            submitted_at=submitted,
        )


@pytest.mark.parametrize(
    ("merged", "reviews", "proposed"), [(10, 10, True), (9, 10, False), (10, 9, False), (9, 9, False)]
)
def test_trusted_committer_candidates_need_ten_merged_and_ten_reviews_in_the_window(
    world, outsider, merged, reviews, proposed
):
    now = timezone.now()
    _activity(world.project, person=outsider, merged=merged, reviews=reviews, now=now)
    candidates = selectors.trusted_committer_candidates(project=world.project, now=now)
    assert [c.user for c in candidates] == ([outsider] if proposed else [])
    if proposed:
        assert (candidates[0].merged, candidates[0].reviews) == (10, 10)
        assert "10 merged requests and 10 reviews" in candidates[0].reason


def test_reviews_of_ones_own_requests_and_old_reviews_do_not_count(world, outsider):
    now = timezone.now()
    _activity(world.project, person=outsider, merged=12, reviews=9, own_reviews=5, old_reviews=5, now=now)
    assert selectors.trusted_committer_candidates(project=world.project, now=now) == []
    from community.models import JourneySettings

    JourneySettings.objects.filter(pk=JourneySettings.current().pk).update(trusted_committer_reviews=9)
    assert [c.user for c in selectors.trusted_committer_candidates(project=world.project, now=now)] == [
        outsider
    ]


@pytest.mark.parametrize("role", ["trusted_committer", "maintainer", "owner"])
def test_people_who_already_hold_a_role_on_the_project_are_not_proposed(world, outsider, role):
    now = timezone.now()
    _activity(world.project, person=outsider, merged=10, reviews=10, now=now)
    ProjectRole.objects.create(project=world.project, user=outsider, role=role)
    assert selectors.trusted_committer_candidates(project=world.project, now=now) == []


def test_maintainers_see_candidates_with_their_numbers_and_appointing_records_the_evidence(
    client, world, outsider, journey_calls
):
    now = timezone.now()
    _activity(world.project, person=outsider, merged=10, reviews=11, now=now)
    client.force_login(world.actors["maintainer"])
    page = client.get(reverse("community:members", args=[world.project.slug])).content.decode()
    assert "10 merged requests and 11 reviews of others" in page
    client.post(
        reverse("community:trusted_committer_appoint", args=[world.project.slug]), {"user": "outsider"}
    )
    assert ProjectRole.objects.filter(project=world.project, user=outsider, role="trusted_committer").exists()
    assert "10 merged requests" in ProjectChange.objects.get(project=world.project).note


# Rules of engagement ------------------------------------------------------------------------------


def test_accepting_twice_creates_one_acceptance_and_a_new_version_asks_again(client, outsider, journey_calls):
    first = publish_rules("Be **kind**.<script>alert(1)</script>")
    client.force_login(outsider)
    page = client.get(reverse("community:rules")).content.decode()
    assert "<strong>kind</strong>" in page and "<script>alert" not in page
    assert "I accept" in page
    for _ in range(2):
        client.post(reverse("community:rules"), {"version": str(first.version)})
    assert RulesAcceptance.objects.filter(user=outsider).count() == 1
    assert journey_calls == [[outsider.pk]]
    page = client.get(reverse("community:rules")).content.decode()
    assert "I accept" not in page and "You accepted version" in page
    second = publish_rules("Plan as a team.")
    page = client.get(reverse("community:rules")).content.decode()
    assert "I accept" in page and f"since you accepted version {first.version}" in page
    # A stale form (the version shown before the change) accepts nothing.
    client.post(reverse("community:rules"), {"version": str(first.version)})
    assert not RulesAcceptance.objects.filter(user=outsider, rules=second).exists()
    client.post(reverse("community:rules"), {"version": str(second.version)})
    assert RulesAcceptance.objects.filter(user=outsider).count() == 2


# Kudos --------------------------------------------------------------------------------------------


def test_kudos_appear_on_the_profile_as_plain_text_and_the_receiver_is_told(client, world, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("community:kudos", args=["target"]),
        {
            "message": "<script>alert(1)</script><b>Thanks</b> for &lt;Button&gt; &amp; more",
            "project": "design-tokens",
        },
    )
    assert response.status_code == 302
    kudos = Kudos.objects.get(receiver=world.target)
    assert kudos.message == "Thanks for & more"
    assert kudos.project == world.project
    assert Notification.objects.filter(user=world.target, message__contains="Thanks for & more").exists()
    page = client.get(reverse("community:profile", args=["target"])).content.decode()
    assert "Thanks for &amp; more" in page and "<script>alert" not in page


@pytest.mark.parametrize("message", ["", "<b></b>   ", "x" * 501])
def test_an_empty_or_too_long_kudos_message_is_refused_next_to_the_field(client, world, outsider, message):
    client.force_login(outsider)
    response = client.post(reverse("community:kudos", args=["target"]), {"message": message})
    assert response.status_code == 400
    assert 'class="errorlist" id="id_message_error"' in response.content.decode()
    assert not Kudos.objects.exists()


# Profiles and privacy -----------------------------------------------------------------------------


@pytest.fixture
def rich_profile(world):
    """Tara shows everything by default: a project, a badge, a merged request, identities."""
    practitioner = world.target.practitioner
    EmailAddress.objects.create(user=world.target, email="tara.home@example.org", verified=True)
    Membership.objects.create(project=world.project, user=world.target)
    badge = Badge.objects.create(
        slug="test-gardener", name="Token Gardener", description="d", tier="gold", rule="x"
    )
    BadgeAward.objects.create(badge=badge, user=world.target)
    now = timezone.now()
    _activity(world.project, person=world.target, merged=1, reviews=0, now=now)
    PullRequest.objects.filter(author__user=world.target).update(title="Add dark palette")
    return practitioner


SECTIONS = [
    ("show_projects", 'id="projects"', "Design Tokens"),
    ("show_badges", 'id="badges"', "Token Gardener"),
    ("show_activity", 'id="activity"', "Add dark palette"),
]


@pytest.mark.parametrize(("flag", "section", "content"), SECTIONS)
def test_a_hidden_section_is_absent_for_others_and_present_for_the_person_and_the_program_office(
    client, world, rich_profile, outsider, program_office, flag, section, content
):
    url = reverse("community:profile", args=["target"])
    client.force_login(outsider)
    page = client.get(url).content.decode()
    assert section in page and content in page
    setattr(rich_profile, flag, False)
    rich_profile.save()
    page = client.get(url).content.decode()
    assert section not in page
    if flag != "show_projects":  # the project's name also shows in the kudos form's choices
        assert content not in page
    for viewer in (world.target, program_office):
        client.force_login(viewer)
        page = client.get(url).content.decode()
        assert section in page and content in page


def test_a_private_profile_shows_only_the_name_to_others(
    client, world, rich_profile, outsider, program_office
):
    rich_profile.visibility = Practitioner.Visibility.PRIVATE
    rich_profile.save()
    url = reverse("community:profile", args=["target"])
    for viewer in (outsider,):  # anonymous visitors are sent to sign in (tests/portal/test_people_data.py)
        client.force_login(viewer)
        page = client.get(url).content.decode()
        assert "Tara Target" in page
        for hidden in ("I like tokens.", "Design Tokens", "Token Gardener", "Add dark palette", "give-kudos"):
            assert hidden not in page
    client.force_login(program_office)
    page = client.get(url).content.decode()
    assert "I like tokens." in page and "Token Gardener" in page


def test_linked_identities_show_only_to_the_person(client, world, rich_profile, outsider, program_office):
    url = reverse("community:profile", args=["target"])
    for viewer in (outsider, program_office):
        client.force_login(viewer)
        assert "tara.home@example.org" not in client.get(url).content.decode()
    client.force_login(world.target)
    page = client.get(url).content.decode()
    assert "tara.home@example.org" in page and "Linked identities" in page


def test_a_person_without_a_profile_yet_has_a_page_with_their_name(client, outsider, starter):
    client.force_login(starter)
    response = client.get(reverse("community:profile", args=["outsider"]))
    assert response.status_code == 200
    assert outsider.get_full_name() in response.content.decode()
    assert not Practitioner.objects.filter(user=outsider).exists()  # reading writes nothing


def test_editing_the_profile_saves_skills_interests_and_keeps_typed_logins_as_unverified_claims(
    client, outsider, journey_calls
):
    from community.models import Skill

    skill = Skill.objects.create(name="Accessibility")
    unit = BusinessUnitFactory()
    account = ForgeAccount.objects.create(forge=Forge.GITHUB, login="octo-cat")
    client.force_login(outsider)
    assert client.get(reverse("community:profile_edit")).status_code == 200
    response = client.post(
        reverse("community:profile_edit"),
        {
            "display_name": " Otto Outsider ",
            "requested_business_unit": unit.pk,
            "skills": [skill.pk],
            "interests": "Kafka, design systems, kafka",
            "github_login": "Octo-Cat",
            "visibility": "company",
            "show_badges": "on",
        },
    )
    assert response.status_code == 302
    practitioner = Practitioner.objects.get(user=outsider)
    assert practitioner.display_name == "Otto Outsider"
    assert practitioner.interests == ["Kafka", "design systems"]
    assert list(practitioner.skills.all()) == [skill]
    assert (practitioner.show_badges, practitioner.show_activity, practitioner.show_projects) == (
        True,
        False,
        False,
    )
    # A typed login and a chosen unit are a claim and a request: no access, no attribution.
    assert (practitioner.github_login, practitioner.github_login_verified) == ("Octo-Cat", False)
    assert (practitioner.business_unit, practitioner.requested_business_unit) == (None, unit)
    account.refresh_from_db()
    assert account.user is None
    assert journey_calls == []


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("github_login", "-bad-", "GitHub login"),
        ("github_login", "TaraGH", "Another person"),
    ],
)
def test_the_profile_form_refuses_bad_or_someone_elses_identities_next_to_the_field(
    client, world, outsider, field, value, error
):
    Practitioner.objects.filter(user=world.target).update(github_login="taragh", github_login_verified=True)
    client.force_login(outsider)
    response = client.post(
        reverse("community:profile_edit"), {"display_name": "Otto", "visibility": "company", field: value}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page and error in page
    assert not Practitioner.objects.filter(user=outsider).exists()


# Bounded queries ----------------------------------------------------------------------------------


@pytest.fixture
def crowded(world, outsider):
    """50 members with profiles, some of them trusted committers, and activity to propose a candidate."""
    unit = BusinessUnitFactory()
    for n in range(50):
        user = UserFactory(username=f"crowd{n}")
        Practitioner.objects.create(user=user, display_name=f"Crowd {n}", business_unit=unit)
        Membership.objects.create(project=world.project, user=user)
        if n % 10 == 0:
            ProjectRole.objects.create(
                project=world.project, user=user, role=ProjectRole.Role.TRUSTED_COMMITTER
            )
        Kudos.objects.create(giver=user, receiver=world.target, project=world.project, message=f"Thanks {n}")
        other = ProjectFactory()
        Membership.objects.create(project=other, user=world.target)
    _activity(world.project, person=outsider, merged=10, reviews=10, now=timezone.now())
    return world


@pytest.mark.parametrize("who", ["outsider", "maintainer", "program_office"])
def test_the_members_page_runs_a_bounded_number_of_queries_with_50_members(
    client, crowded, who, django_assert_max_num_queries
):
    if crowded.actors[who]:
        client.force_login(crowded.actors[who])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("community:members", args=[crowded.project.slug]))
    assert response.status_code == 200
    assert "Crowd 49" in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "target", "program_office"])
def test_the_profile_page_runs_a_bounded_number_of_queries(
    client, crowded, who, django_assert_max_num_queries
):
    viewer = crowded.target if who == "target" else crowded.actors[who]
    if viewer:
        client.force_login(viewer)
    # 21: the person themselves also reads their e-mail addresses and whether each is verified.
    with django_assert_max_num_queries(21):
        response = client.get(reverse("community:profile", args=["target"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thanks 49" in page and "Design Tokens" in page
