from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Notification, ProjectRole, Repository, ReviewStatus
from community import journey
from community.badges import RULES
from community.journey import evidence_for, people_evaluate, sprint_windows, stage_for
from community.models import (
    Badge,
    BadgeAward,
    JourneySettings,
    Membership,
    ParticipationLevel,
    Practitioner,
    RulesVersion,
    Stage,
    StageChange,
    StageContent,
)
from metrics.models import ForgeAccount, PullRequest
from metrics.services import activity_upsert
from metrics.sync.records import AccountRecord, ActivityBatch, PullRequestRecord
from tests import activity
from tests.factories import (
    BusinessUnitFactory,
    ForgeAccountFactory,
    ProjectFactory,
    UserFactory,
    accept_rules,
    make_owner,
)
from tests.pages import missing

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def account(user, *, bot: bool = False) -> ForgeAccount:
    return ForgeAccountFactory(user=user, is_bot=bot)


def merged_request(
    author: ForgeAccount, *, repo: Repository | None = None, at: datetime = NOW
) -> PullRequest:
    return activity.pr(repo or activity.repo(), author, at - timedelta(days=1), merged=at)


def join(user, project=None) -> Membership:
    return Membership.objects.create(user=user, project=project or ProjectFactory())


def almost_contributor(user=None):
    """A person who accepted the rules and joined a community: a Contributor but for a merged request."""
    user = user or UserFactory()
    accept_rules(user)
    join(user)
    return user


def appoint(user, project=None) -> None:
    """Make `user` a trusted committer of `project` (of a new project by default)."""
    ProjectRole.objects.create(
        project=project or ProjectFactory(), user=user, role=ProjectRole.Role.TRUSTED_COMMITTER
    )


def remove_roles(user) -> None:
    ProjectRole.objects.filter(user=user).delete()


def contributor(user=None, *, unit=None):
    """A person meeting every Contributor condition (rules, a community, a merged request)."""
    user = user or UserFactory()
    if unit is not None:
        Practitioner.objects.create(user=user, display_name=user.get_full_name(), business_unit=unit)
    almost_contributor(user)
    merged_request(account(user))
    return user


def stage_of(user) -> str:
    return Practitioner.objects.get(user=user).stage


def evaluate(*users, now: datetime = NOW) -> list[StageChange]:
    return people_evaluate(user_ids=[u.pk for u in users], now=now)


# --- Contributor ------------------------------------------------------------------------------------


def test_a_person_without_a_merged_contribution_stays_an_explorer_and_one_merge_makes_a_contributor(db):
    person = almost_contributor()
    evaluate(person)
    assert stage_of(person) == Stage.EXPLORER
    merged_request(account(person))
    changes = evaluate(person)
    assert stage_of(person) == Stage.CONTRIBUTOR
    assert [(c.from_stage, c.to_stage) for c in changes] == [(Stage.EXPLORER, Stage.CONTRIBUTOR)]
    assert changes[0].evidence["merged_requests"] == 1
    assert changes[0].evidence["communities"] == 1


def test_a_merged_request_in_an_unlisted_or_merged_away_project_does_not_count(db):
    person = almost_contributor()
    author = account(person)
    merged_request(author, repo=activity.repo(ProjectFactory(review_status=ReviewStatus.PENDING)))
    merged_request(author, repo=activity.repo(ProjectFactory(merged_into=ProjectFactory())))
    assert evidence_for(user_ids=[person.pk], now=NOW)[person.pk].merged_requests == 0
    evaluate(person)
    assert stage_of(person) == Stage.EXPLORER


def test_an_open_request_is_not_a_merged_contribution(db):
    person = almost_contributor()
    request = merged_request(account(person))
    PullRequest.objects.filter(pk=request.pk).update(merged_at=None, state="open")
    evaluate(person)
    assert stage_of(person) == Stage.EXPLORER


def test_a_person_who_left_their_only_community_has_not_joined_one(db):
    person = almost_contributor()
    merged_request(account(person))
    Membership.objects.filter(user=person).update(left_at=NOW)
    evaluate(person)
    assert stage_of(person) == Stage.EXPLORER


def test_the_contributor_thresholds_are_the_journey_settings(db):
    settings_row = JourneySettings.current()
    settings_row.contributor_merged_requests = 2
    settings_row.save()
    person = contributor()
    evaluate(person)
    assert stage_of(person) == Stage.EXPLORER
    merged_request(ForgeAccount.objects.get(user=person))
    evaluate(person)
    assert stage_of(person) == Stage.CONTRIBUTOR


def test_a_bot_account_linked_to_a_person_does_not_contribute_for_them(db):
    person = almost_contributor()
    bot = account(person, bot=True)
    merged_request(bot)
    activity.commit(activity.repo(), bot, NOW)
    found = evidence_for(user_ids=[person.pk], now=NOW)[person.pk]
    assert found.merged_requests == 0
    assert found.sprints == [0] * 6
    evaluate(person)
    assert stage_of(person) == Stage.EXPLORER
    assert Practitioner.objects.get(user=person).participation_level == ParticipationLevel.OPEN


# --- Rules of engagement -------------------------------------------------------------------------------


def test_an_unaccepted_new_rules_version_blocks_a_new_promotion_but_keeps_an_existing_stage(db):
    already = contributor()
    evaluate(already)
    assert stage_of(already) == Stage.CONTRIBUTOR
    newcomer = contributor()  # accepted version 1 only
    version_two = RulesVersion.objects.create(
        version=2, body="New rules", published_at=NOW - timedelta(days=1)
    )
    evaluate(already, newcomer)
    assert stage_of(already) == Stage.CONTRIBUTOR
    assert stage_of(newcomer) == Stage.EXPLORER
    accept_rules(newcomer, version_two)
    evaluate(newcomer)
    assert stage_of(newcomer) == Stage.CONTRIBUTOR


# --- Trusted Committer and Starter ---------------------------------------------------------------------


def test_the_trusted_committer_role_makes_a_trusted_committer_and_removing_the_last_one_goes_back(db):
    person = contributor()
    evaluate(person)
    first, second = ProjectFactory(), ProjectFactory()
    for project in (first, second):
        appoint(person, project)
    evaluate(person)
    assert stage_of(person) == Stage.TRUSTED_COMMITTER
    ProjectRole.objects.filter(project=first, user=person).delete()
    evaluate(person)
    assert stage_of(person) == Stage.TRUSTED_COMMITTER
    remove_roles(person)
    changes = evaluate(person)
    assert stage_of(person) == Stage.CONTRIBUTOR
    assert [(c.from_stage, c.to_stage) for c in changes] == [(Stage.TRUSTED_COMMITTER, Stage.CONTRIBUTOR)]


def test_a_removed_trusted_committer_who_was_a_contributor_stays_one_even_without_the_evidence(db):
    person = contributor()
    evaluate(person)
    appoint(person)
    evaluate(person)
    Membership.objects.filter(user=person).update(left_at=NOW)  # the Contributor conditions no longer hold
    remove_roles(person)
    evaluate(person)
    assert stage_of(person) == Stage.CONTRIBUTOR


@pytest.mark.parametrize(
    ("make_person", "falls_back_to"),
    [
        pytest.param(contributor, Stage.CONTRIBUTOR, id="meeting-the-contributor-conditions"),
        pytest.param(UserFactory, Stage.EXPLORER, id="explorer"),
    ],
)
def test_someone_appointed_straight_from_explorer_falls_back_to_the_stage_they_met_when_appointed(
    db, make_person, falls_back_to
):
    person = make_person()
    appoint(person)
    evaluate(person)  # straight from Explorer to Trusted Committer: Contributor was never recorded
    assert stage_of(person) == Stage.TRUSTED_COMMITTER
    # New rules nobody has accepted: the Contributor conditions no longer hold when the role goes.
    RulesVersion.objects.create(version=2, body="New rules", published_at=NOW - timedelta(days=1))
    remove_roles(person)
    evaluate(person)
    assert stage_of(person) == falls_back_to


def starter_setup(*, contributor_unit_differs: bool = True):
    """An owner (a Contributor of unit A) of a listed project hosted by A, and a helper who merged into it."""
    host, other = BusinessUnitFactory(), BusinessUnitFactory()
    owner = contributor(unit=host)
    project = ProjectFactory(business_unit=host)
    make_owner(project, owner)
    helper = UserFactory()
    Practitioner.objects.create(
        user=helper, display_name="Helper", business_unit=other if contributor_unit_differs else host
    )
    return owner, project, helper


def test_an_owner_whose_project_received_a_merge_from_another_business_unit_becomes_a_starter(db):
    owner, project, helper = starter_setup()
    evaluate(owner)
    assert stage_of(owner) == Stage.CONTRIBUTOR
    merged_request(account(helper), repo=activity.repo(project))
    changes = evaluate(owner)
    assert stage_of(owner) == Stage.STARTER
    assert changes[0].evidence["cross_unit_projects"] == [project.slug]


def test_a_merge_from_the_host_unit_or_from_someone_of_unknown_unit_does_not_make_a_starter(db):
    owner, project, colleague = starter_setup(contributor_unit_differs=False)
    repo = activity.repo(project)
    merged_request(account(colleague), repo=repo)
    merged_request(account(UserFactory()), repo=repo)  # no practitioner profile: unit unknown
    merged_request(ForgeAccountFactory(login="stranger"), repo=repo)  # no user
    evaluate(owner)
    assert stage_of(owner) == Stage.CONTRIBUTOR


def test_the_owners_own_merge_does_not_count_as_one_from_another_unit(db):
    owner, project, _ = starter_setup()
    # The owner belongs to another unit than the project's host, yet merging into one's own project
    # is not receiving a contribution.
    Practitioner.objects.filter(user=owner).update(business_unit=BusinessUnitFactory())
    merged_request(ForgeAccount.objects.get(user=owner), repo=activity.repo(project))
    evaluate(owner)
    assert stage_of(owner) == Stage.CONTRIBUTOR


def test_a_merge_from_another_unit_counts_even_when_the_owner_merged_from_another_unit_too(db):
    owner, project, helper = starter_setup()
    Practitioner.objects.filter(user=owner).update(business_unit=BusinessUnitFactory())
    repo = activity.repo(project)
    merged_request(ForgeAccount.objects.get(user=owner), repo=repo)
    merged_request(account(helper), repo=repo)
    evaluate(owner)
    assert stage_of(owner) == Stage.STARTER


def test_starter_needs_an_approved_project_and_having_been_a_contributor(db):
    owner, project, helper = starter_setup()
    merged_request(account(helper), repo=activity.repo(project))
    project.review_status = ReviewStatus.PENDING
    project.save()
    evaluate(owner)
    assert stage_of(owner) == Stage.CONTRIBUTOR

    explorer, unit = UserFactory(), BusinessUnitFactory()
    Practitioner.objects.create(user=explorer, display_name="E", business_unit=unit)
    own = ProjectFactory(business_unit=unit)
    make_owner(own, explorer)
    merged_request(account(helper), repo=activity.repo(own))
    evaluate(explorer)
    assert stage_of(explorer) == Stage.EXPLORER  # never a Contributor: no rules, no community


def test_a_starter_stays_a_starter_when_the_evidence_and_roles_go_away(db):
    owner, project, helper = starter_setup()
    merged_request(account(helper), repo=activity.repo(project))
    appoint(owner, project)
    evaluate(owner)
    assert stage_of(owner) == Stage.STARTER
    remove_roles(owner)
    PullRequest.objects.all().delete()
    Membership.objects.all().delete()
    assert evaluate(owner) == []
    assert stage_of(owner) == Stage.STARTER


def test_stage_for_picks_the_highest_stage_that_holds(db):
    evidence = journey.Evidence(merged_requests=1, communities=1, trusted_committer_roles=1)
    assert stage_for(evidence, Stage.EXPLORER) == Stage.TRUSTED_COMMITTER
    assert stage_for(journey.Evidence(), Stage.TRUSTED_COMMITTER) == Stage.EXPLORER
    assert stage_for(journey.Evidence(), Stage.CONTRIBUTOR) == Stage.CONTRIBUTOR
    assert stage_for(journey.Evidence(cross_unit_projects=["p"]), Stage.EXPLORER) == Stage.EXPLORER
    assert stage_for(journey.Evidence(cross_unit_projects=["p"]), Stage.CONTRIBUTOR) == Stage.STARTER


# --- Participation --------------------------------------------------------------------------------------


def commit_at(author: ForgeAccount, when: datetime, *, merge: bool = False, repo=None) -> None:
    activity.commit(repo or activity.repo(), author, when, merge=merge)


def test_sprints_are_six_half_open_two_week_windows_ending_now(db):
    windows = sprint_windows(NOW)
    assert windows[-1] == (NOW - timedelta(days=14), NOW)
    assert windows[0] == (NOW - timedelta(days=84), NOW - timedelta(days=70))
    assert all(later[0] == earlier[1] for earlier, later in zip(windows, windows[1:], strict=False))


def test_contributions_on_the_sprint_boundaries_fall_where_the_windows_say(db):
    person = UserFactory()
    author = account(person)
    commit_at(author, NOW)  # newest sprint (its end is included)
    commit_at(author, NOW - timedelta(days=14))  # exactly 14 days ago: the sprint before
    commit_at(author, NOW - timedelta(days=14, seconds=-1))  # one second later: the newest sprint
    commit_at(author, NOW - timedelta(days=84))  # exactly twelve weeks ago: outside
    commit_at(author, NOW - timedelta(days=84, seconds=-1))  # just inside: the oldest sprint
    commit_at(author, NOW + timedelta(seconds=1))  # in the future: not counted
    assert evidence_for(user_ids=[person.pk], now=NOW)[person.pk].sprints == [1, 0, 0, 0, 1, 2]


@pytest.mark.parametrize(
    ("sprints_with_work", "level"),
    [
        (0, ParticipationLevel.OPEN),
        (1, ParticipationLevel.ACTIVE),
        (2, ParticipationLevel.ACTIVE),
        (3, ParticipationLevel.ONGOING),
        (4, ParticipationLevel.ONGOING),
        (5, ParticipationLevel.DEDICATED),
        (6, ParticipationLevel.DEDICATED),
    ],
)
def test_the_participation_level_counts_sprints_with_contributions(db, sprints_with_work, level):
    person = UserFactory()
    author = account(person)
    for k in range(sprints_with_work):
        commit_at(author, NOW - timedelta(days=14 * k))  # the end of sprint 6 - k
        commit_at(author, NOW - timedelta(days=14 * k, hours=1))  # a second one the same sprint
    evaluate(person)
    assert Practitioner.objects.get(user=person).participation_level == level


def test_every_kind_of_contribution_counts_but_merge_commits_and_pending_reviews_do_not(db):
    person, other = UserFactory(), UserFactory()
    author, other_author = account(person), account(other)
    repo = activity.repo()
    day = timedelta(days=1)
    request = activity.pr(repo, other_author, NOW - 80 * day)
    activity.pr(repo, author, NOW - 60 * day)
    activity.review(request, author, NOW - 50 * day)
    activity.review(request, author, NOW - 36 * day, state="pending")
    activity.comment(author, NOW - 20 * day, on=activity.issue(repo, author, NOW - 30 * day))
    commit_at(author, NOW - 2 * day)
    commit_at(author, NOW - 3 * day, merge=True)
    sprints = evidence_for(user_ids=[person.pk], now=NOW)[person.pk].sprints
    # 60 days ago: sprint 2; 50: 3; 36 (pending review): nothing; 30: 4; 20: 5; 2: 6.
    assert sprints == [0, 1, 1, 1, 1, 1]


# --- Recording, notifying, idempotence ----------------------------------------------------------------


def test_a_change_is_recorded_and_notified_once_and_rerunning_changes_nothing(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    person = contributor(UserFactory(email="ana@example.com", first_name="Ana", last_name="Lima"))
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(person)
    practitioner = Practitioner.objects.get(user=person)
    assert practitioner.display_name == "Ana Lima"
    assert practitioner.stage_since == NOW
    assert practitioner.evaluated_at == NOW
    notification = Notification.objects.get(user=person, url="/journey/")
    assert notification.url == "/journey/"
    assert "Contributor" in notification.message
    # One e-mail for the stage, the others for the badges earned on the way.
    journey_mails = [m for m in mailoutbox if "/journey/" in m.body]
    assert len(journey_mails) == 1
    assert journey_mails[0].to == ["ana@example.com"]
    sent, notified = len(mailoutbox), Notification.objects.filter(user=person).count()

    later = NOW + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluate(person, now=later) == []
    assert StageChange.objects.filter(user=person).count() == 1
    assert Notification.objects.filter(user=person).count() == notified
    assert len(mailoutbox) == sent
    practitioner.refresh_from_db()
    assert (practitioner.stage, practitioner.stage_since) == (Stage.CONTRIBUTOR, NOW)


def test_a_person_without_a_name_gets_a_profile_named_after_their_e_mail(db):
    person = UserFactory(first_name="", last_name="", email="nameless@acme.example")
    evaluate(person)
    assert Practitioner.objects.get(user=person).display_name == "nameless@acme.example"
    assert not StageChange.objects.filter(user=person).exists()


def test_the_badges_are_evaluated_for_the_same_people_after_the_journey(db):
    from community.models import BadgeAward

    first, second = contributor(), UserFactory()
    people_evaluate(user_ids=[second.pk, first.pk, first.pk], now=NOW)
    held = set(BadgeAward.objects.filter(revoked_at__isnull=True).values_list("user_id", "badge__slug"))
    assert (first.pk, "first-contribution") in held
    assert not {badge for user_id, badge in held if user_id == second.pk}


def test_evaluating_200_people_takes_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    repo, project = activity.repo(), ProjectFactory()

    def crowd(size: int) -> list[int]:
        ids = []
        for _ in range(size):
            person = UserFactory()
            join(person, project)
            author = account(person)
            merged_request(author, repo=repo)
            commit_at(author, NOW - timedelta(days=3), repo=repo)
            ids.append(person.pk)
        return ids

    few, many = crowd(5), crowd(200)
    with CaptureQueriesContext(connection) as small:
        people_evaluate(user_ids=few, now=NOW)
    # The journey takes about 20 queries and the badges a handful per badge, whatever the number of people.
    with django_assert_max_num_queries(100), CaptureQueriesContext(connection) as large:
        people_evaluate(user_ids=many, now=NOW)
    assert len(large.captured_queries) <= len(small.captured_queries) + 2  # bulk writes may split
    assert set(
        Practitioner.objects.filter(user_id__in=many).values_list("participation_level", flat=True)
    ) == {ParticipationLevel.ACTIVE}


# --- The signal, the task and the command ------------------------------------------------------------


def test_a_merged_request_recorded_by_a_sync_promotes_its_linked_author(
    db, django_capture_on_commit_callbacks
):
    person = almost_contributor(UserFactory(email="dev@acme.example"))
    record = PullRequestRecord(
        forge_id=7,
        number=7,
        title="Fix",
        state="merged",
        author=AccountRecord(login="dev", email="dev@acme.example"),
        created_at=NOW - timedelta(days=2),
        updated_at=NOW,
        merged_at=NOW,
        closed_at=NOW,
    )
    with django_capture_on_commit_callbacks(execute=True):
        activity_upsert(repository=activity.repo(), batch=ActivityBatch(pull_requests=[record]))
    assert stage_of(person) == Stage.CONTRIBUTOR
    assert StageChange.objects.get(user=person).to_stage == Stage.CONTRIBUTOR


def test_the_evaluate_journeys_command_evaluates_everyone_and_says_how_many_stages_changed(db):
    promoted, unchanged = contributor(), UserFactory()
    out = StringIO()
    call_command("evaluate_journeys", stdout=out)
    assert out.getvalue().strip() == "1 stage change."
    assert stage_of(promoted) == Stage.CONTRIBUTOR
    assert stage_of(unchanged) == Stage.EXPLORER
    out = StringIO()
    call_command("evaluate_journeys", stdout=out)
    assert out.getvalue().strip() == "0 stage changes."


def test_the_nightly_task_evaluates_everyone_in_chunks(db, monkeypatch):
    from community import tasks

    people = [contributor() for _ in range(3)]
    calls = []
    original = journey.people_evaluate
    monkeypatch.setattr(
        journey, "people_evaluate", lambda **kw: calls.append(kw["user_ids"]) or original(**kw)
    )
    monkeypatch.setattr(journey, "EVERYONE_CHUNK", 2)
    assert tasks.evaluate_everyone.apply().get() == 3
    assert [len(chunk) for chunk in calls] == [2, 1]
    assert {stage_of(p) for p in people} == {Stage.CONTRIBUTOR}


def test_the_activity_read_for_everyone_gives_each_person_the_same_evidence(db):
    owner, project, helper = starter_setup()
    merged_request(account(helper), repo=activity.repo(project))
    commit_at(ForgeAccount.objects.get(user=owner), NOW - timedelta(days=3))
    everyone = journey.activity_for(ids=None, now=NOW)
    assert everyone.merged == {owner.pk: 1, helper.pk: 1}
    assert everyone.cross_unit == {owner.pk: [project.slug]}
    assert everyone.sprints[owner.pk] == [0, 0, 0, 0, 0, 2]  # the commit and the merged request's creation
    people = [owner.pk, helper.pk]
    assert evidence_for(user_ids=people, now=NOW, activity=everyone) == evidence_for(user_ids=people, now=NOW)


def test_the_nightly_run_reads_the_activity_and_runs_each_badge_rule_once_then_does_the_badges(
    db, monkeypatch
):
    owner, project, helper = starter_setup()
    merged_request(account(helper), repo=activity.repo(project))
    asleep = UserFactory(is_active=False)
    BadgeAward.objects.create(badge=Badge.objects.get(slug="trusted-committer"), user=asleep)
    reads, calls = [], []
    original_activity, original_rule = journey.activity_for, RULES["starter"]
    monkeypatch.setattr(
        journey, "activity_for", lambda **kw: reads.append(kw["ids"]) or original_activity(**kw)
    )
    monkeypatch.setitem(
        RULES,
        "starter",
        lambda badge, user_ids, now: calls.append(user_ids) or original_rule(badge, user_ids, now),
    )
    assert journey.everyone_evaluate(now=NOW, chunk=1) >= 1
    assert reads == [None]
    assert calls == [None]
    # The owner became a Starter in this run, and the Starter badge (read from the stage) followed.
    assert stage_of(owner) == Stage.STARTER
    assert BadgeAward.objects.filter(user=owner, badge__slug="starter", revoked_at__isnull=True).exists()
    # Inactive people are not evaluated: their awards stay as they are.
    assert BadgeAward.objects.get(user=asleep).revoked_at is None


def test_the_nightly_evaluation_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["evaluate-journeys"]
    assert entry == {"task": "community.tasks.evaluate_everyone", "schedule": 24 * 60 * 60}


# --- The page ------------------------------------------------------------------------------------------


def journey_page(client, person) -> str:
    """The journey page as `person` sees it."""
    client.force_login(person)
    response = client.get("/journey/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_journey_page_shows_an_explorer_what_is_missing(client, db):
    person = UserFactory()
    join(person)
    page = journey_page(client, person)
    assert not missing(
        page,
        "Where you stand: Explorer",
        "Next stage: Contributor",
        "0 of 1 merged contribution to a catalog project",
        "1 of 1 community joined",
        "Rules of engagement v1 not accepted yet",
        'href="/rules/"',
        "Participation: Open",
    )
    # The next stage's content, as the program office wrote it (Markdown rendered, links kept).
    content = StageContent.objects.get(stage=Stage.CONTRIBUTOR)
    assert content.summary in page
    assert 'href="https://patterns.innersourcecommons.org/"' in page


def test_each_missing_step_links_to_where_to_go_about_it(client, db):
    person = UserFactory()
    page = journey_page(client, person)
    assert '<a href="/#first-projects-heading">find a first project</a>' in page
    assert '<a href="/catalog/?wants_contributions=1">find a community</a>' in page
    # Merged requests count only once the portal knows the person's forge account: say so, and where.
    assert '<a href="/practitioners/me/edit/#id_github_login">link your GitHub or GitLab account</a>' in page
    ForgeAccount.objects.create(forge="github", login="someone", user=person)
    join(person)
    page = journey_page(client, person)
    assert "find a first project" in page
    assert "link your GitHub or GitLab account" not in page
    assert "find a community" not in page


def test_the_journey_page_evaluates_a_person_whose_stage_lags_behind(client, db):
    person = contributor()
    page = journey_page(client, person)
    assert not missing(
        page, "Where you stand: Contributor", "Next stage: Trusted Committer", "Or go straight to: Starter"
    )
    assert StageChange.objects.filter(user=person, to_stage=Stage.CONTRIBUTOR).count() == 1
    client.get("/journey/")
    assert StageChange.objects.filter(user=person).count() == 1


def test_the_journey_page_escapes_markdown_it_should_not_trust(client, db):
    StageContent.objects.filter(stage=Stage.CONTRIBUTOR).update(
        learning="<script>alert(1)</script>[x](javascript:alert(2)) **bold**"
    )
    page = journey_page(client, UserFactory())
    assert "<script>alert(1)" not in page
    assert "javascript:alert" not in page
    assert "<strong>bold</strong>" in page


def test_the_journey_page_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/journey/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert "next=/journey/" in response.url
