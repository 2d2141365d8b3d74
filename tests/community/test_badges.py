"""Badges: each starting rule at its threshold, the awarding engine (idempotence, many grants, auto-revoke,
backfill, a bounded number of queries whatever the number of people) and the badge pages.

NOW is Monday 2026-03-02 12:00 UTC; 2026-02-20 is a Friday. Sprints are 14 days from Monday 2024-01-01.
"""

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Adoption, Notification, ProjectRole, ReviewStatus
from community.badge_rules import SprintIndex, first_responses_in_time, sprint_start, streaks
from community.badges import RULES, badges_evaluate, badges_evaluate_in_chunks
from community.models import (
    Badge,
    BadgeAward,
    Membership,
    Practitioner,
    RulesAcceptance,
    RulesVersion,
    Stage,
)
from community.sql import whole_table_reads
from metrics import computations
from metrics.models import Commit, ForgeAccount, Issue, PullRequest
from tests.activity import comment, commit, issue, pr, repo, review
from tests.factories import (
    AssetFactory,
    BusinessUnitFactory,
    ForgeAccountFactory,
    PractitionerFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
_ids = count(1)


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# The test's words for the shared factories (tests/factories.py).


def person(login: str, unit=None, **profile):
    """A user with a practitioner profile and a linked GitHub account; returns (user, account)."""
    user = UserFactory(username=login)
    PractitionerFactory(user=user, display_name=login.title(), business_unit=unit, **profile)
    return user, ForgeAccountFactory(login=login, user=user)


def bot(login: str = "dependabot[bot]") -> ForgeAccount:
    return ForgeAccountFactory(login=login, is_bot=True)


def evaluate(*users, now=NOW):
    return badges_evaluate(user_ids=[u.pk for u in users], now=now)


def holds(user, slug: str) -> bool:
    return BadgeAward.objects.filter(badge__slug=slug, user=user, revoked_at__isnull=True).exists()


def holders(slug: str, *users) -> set[str]:
    """The usernames of those among `users` who hold the badge `slug` once their badges are evaluated."""
    evaluate(*users)
    return {user.username for user in users if holds(user, slug)}


def badge(slug: str) -> Badge:
    return Badge.objects.get(slug=slug)


# ------------------------------------------------------------------------------------ the starting set


def test_the_migration_creates_the_eleven_starting_badges_with_known_rules():
    badges = Badge.objects.all()
    assert badges.count() == 11
    assert {b.rule for b in badges} == set(RULES)
    assert badge("trusted-committer").auto_revoke
    assert badge("sprint-streak").multiple
    assert badge("helping-hand").parameters == {"count": 10, "business_days": 2}
    assert {b.tier for b in badges if b.slug in {"mentor", "starter", "solve-once-solve-for-many"}} == {
        "gold"
    }


# ------------------------------------------------------------------------------------------ bronze


def test_rule_keeper_is_earned_by_accepting_the_rules_of_engagement():
    keeper, _ = person("keeper")
    other, _ = person("other")
    rules = RulesVersion.objects.get_or_create(version=1, defaults={"body": "Open everything."})[0]
    RulesAcceptance.objects.create(user=keeper, rules=rules)
    assert holders("rule-keeper", keeper, other) == {"keeper"}


def test_community_member_needs_a_membership_that_was_not_left():
    member, _ = person("member")
    leaver, _ = person("leaver")
    project = ProjectFactory()
    Membership.objects.create(project=project, user=member)
    Membership.objects.create(project=project, user=leaver, left_at=at(2, 1))
    assert holders("community-member", member, leaver) == {"member"}


def test_first_contribution_needs_a_merged_request_in_a_listed_catalog_project():
    merged, merged_account = person("merged")
    unlisted, unlisted_account = person("unlisted")
    still_open, open_account = person("stillopen")
    pr(repo(), merged_account, at(2, 1), merged=at(2, 2))
    pending = ProjectFactory(review_status=ReviewStatus.PENDING)
    pr(repo(pending), unlisted_account, at(2, 1), merged=at(2, 2))
    pr(repo(), open_account, at(2, 1))
    assert holders("first-contribution", merged, unlisted, still_open) == {"merged"}


def test_first_review_ignores_self_reviews_and_pending_reviews():
    reviewer, reviewer_account = person("reviewer")
    selfish, selfish_account = person("selfish")
    pending, pending_account = person("pending")
    author, author_account = person("author")
    repository = repo()
    review(pr(repository, selfish_account, at(2, 1)), selfish_account, at(2, 2))
    review(pr(repository, author_account, at(2, 1)), pending_account, at(2, 2), state="pending")
    review(pr(repository, author_account, at(2, 1)), reviewer_account, at(2, 2), state="commented")
    assert holders("first-review", reviewer, selfish, pending) == {"reviewer"}


def test_a_review_from_a_second_account_of_the_author_is_still_a_self_review():
    author, github = person("twofaced")
    gitlab = ForgeAccount.objects.create(forge="gitlab", login="twofaced", user=author)
    review(pr(repo(), github, at(2, 1)), gitlab, at(2, 2))
    evaluate(author)
    assert not holds(author, "first-review")


# ------------------------------------------------------------------------------------------ silver


@pytest.mark.parametrize(("in_time", "earned"), [(9, False), (10, True)])
def test_helping_hand_needs_ten_first_responses_within_two_business_days(in_time, earned):
    helper, helper_account = person("helper")
    _, asker = person("asker")
    repository = repo()
    for n in range(in_time):
        item = issue(repository, asker, at(1, 5 + n % 4, 9))
        comment(helper_account, at(1, 5 + n % 4, 10), on=item)
    # Answered, but three business days later: not in time.
    late = issue(repository, asker, at(1, 5, 9))
    comment(helper_account, at(1, 8, 10), on=late)
    evaluate(helper)
    assert holds(helper, "helping-hand") is earned


def ten_items_with_nine_answered_in_time(helper_account, asker):
    """Nine issues the helper answered first within the hour; the tenth is for each test to decide."""
    repository = repo()
    for n in range(9):
        comment(helper_account, at(1, 6, 10), on=issue(repository, asker, at(1, 6, 9 + n % 2)))
    return repository


def test_helping_hand_ignores_a_bots_earlier_response_and_the_authors_own_comment():
    helper, helper_account = person("helper")
    _, asker = person("asker")
    repository = ten_items_with_nine_answered_in_time(helper_account, asker)
    tenth = pr(repository, asker, at(1, 7, 9))
    comment(asker, at(1, 7, 9, 5), on=tenth)
    comment(bot(), at(1, 7, 9, 10), on=tenth)
    review(tenth, helper_account, at(1, 7, 11), state="commented")
    evaluate(helper)
    assert holds(helper, "helping-hand")


@pytest.mark.parametrize(
    ("own_issue", "helper_answers_at"),
    [
        # Someone else answered the asker's tenth issue first: the helper's later answer is not a first response.
        pytest.param(False, at(1, 7, 10), id="credits-only-the-first-responder"),
        # The helper answered first, but on their own issue: answers there do not count.
        pytest.param(True, at(1, 7, 9, 10), id="not-answers-on-ones-own-issues"),
    ],
)
def test_helping_hand_wants_the_tenth_first_response_on_someone_elses_issue(own_issue, helper_answers_at):
    helper, helper_account = person("helper")
    _, asker = person("asker")
    _, colleague = person("colleague")
    repository = ten_items_with_nine_answered_in_time(helper_account, asker)
    tenth = issue(repository, helper_account if own_issue else asker, at(1, 7, 9))
    comment(colleague, at(1, 7, 9, 30), on=tenth)
    comment(helper_account, helper_answers_at, on=tenth)
    evaluate(helper)
    assert not holds(helper, "helping-hand")


@pytest.mark.parametrize(("answered", "earned"), [(at(2, 23, 15), True), (at(2, 25, 1), False)])
def test_a_response_on_monday_to_an_issue_opened_friday_evening_is_within_two_business_days(answered, earned):
    # Friday 20:00 to Monday 15:00 is 4 + 15 = 19 business hours; to Wednesday 01:00 it is 53 (> 48).
    helper, helper_account = person("helper")
    _, asker = person("asker")
    repository = ten_items_with_nine_answered_in_time(helper_account, asker)
    friday = issue(repository, asker, at(2, 20, 20))
    comment(helper_account, answered, on=friday)
    evaluate(helper)
    assert holds(helper, "helping-hand") is earned


@pytest.mark.parametrize(("units", "earned"), [(2, False), (3, True)])
def test_cross_team_needs_merged_requests_in_three_other_business_units(units, earned):
    home = BusinessUnitFactory()
    traveller, account = person("traveller", home)
    pr(repo(ProjectFactory(business_unit=home)), account, at(2, 1), merged=at(2, 2))
    for _ in range(units):
        project = ProjectFactory(business_unit=BusinessUnitFactory())
        pr(repo(project), account, at(2, 1), merged=at(2, 2))
        pr(repo(project), account, at(2, 3), merged=at(2, 4))
    evaluate(traveller)
    assert holds(traveller, "cross-team-contributor") is earned


def test_trusted_committer_follows_the_role_revoked_when_removed_and_restored_when_given_back():
    committer, _ = person("committer")
    project = ProjectFactory()
    role = ProjectRole.objects.create(
        project=project, user=committer, role=ProjectRole.Role.TRUSTED_COMMITTER
    )
    assert evaluate(committer)["awarded"] == 1
    assert holds(committer, "trusted-committer")

    role.delete()
    assert evaluate(committer, now=NOW + timedelta(days=1)) == {"awarded": 0, "revoked": 1}
    award = BadgeAward.objects.get(badge__slug="trusted-committer", user=committer)
    assert award.revoked_at == NOW + timedelta(days=1)

    ProjectRole.objects.create(project=project, user=committer, role=ProjectRole.Role.TRUSTED_COMMITTER)
    assert evaluate(committer, now=NOW + timedelta(days=2)) == {"awarded": 1, "revoked": 0}
    assert BadgeAward.objects.filter(badge__slug="trusted-committer", user=committer).count() == 1
    assert holds(committer, "trusted-committer")


def test_badges_without_auto_revoke_stay_when_the_rule_no_longer_holds():
    member, _ = person("member")
    membership = Membership.objects.create(project=ProjectFactory(), user=member)
    evaluate(member)
    membership.left_at = NOW
    membership.save()
    assert evaluate(member)["revoked"] == 0
    assert holds(member, "community-member")


def test_first_responses_in_time_counts_each_items_first_response_by_a_linked_person():
    """One count per item: a request counts from when it was marked ready, a later response is not a
    first, the first response by an unlinked account takes the item away from everyone, a response
    after now does not count, nor does an item in a project outside the catalog."""
    helper, helper_account = person("helper")
    other, other_account = person("other")
    _, asker = person("asker")
    repository = repo()
    # Thursday to the next Tuesday is 73 business hours, but the request was ready on Tuesday 09:00.
    request = pr(repository, asker, at(1, 1, 9), draft=True, ready=at(1, 6, 9))
    review(request, helper_account, at(1, 6, 10), state="commented")
    comment(other_account, at(1, 6, 11), on=request)
    answered = issue(repository, asker, at(1, 7, 9))
    comment(other_account, at(1, 7, 10), on=answered)
    taken = issue(repository, asker, at(1, 8, 9))
    comment(ForgeAccount.objects.create(forge="github", login="stranger"), at(1, 8, 10), on=taken)
    comment(helper_account, at(1, 8, 11), on=taken)
    later = issue(repository, asker, at(1, 9, 9))
    comment(helper_account, NOW + timedelta(hours=1), on=later)
    outside = issue(repo(ProjectFactory(review_status=ReviewStatus.PENDING)), asker, at(1, 9, 9))
    comment(helper_account, at(1, 9, 10), on=outside)

    assert first_responses_in_time(user_ids=None, now=NOW, days=2) == {helper.pk: 1, other.pk: 1}
    assert first_responses_in_time(user_ids=[helper.pk], now=NOW, days=2) == {helper.pk: 1}


@pytest.mark.parametrize(
    ("opened", "answered", "days"),
    [
        (at(1, 5, 9), at(1, 7, 9), 2),  # two calendar days: settled in the database
        (at(1, 5, 9), at(1, 7, 9, 1), 2),  # just over: within_business_days decides (late)
        (at(2, 20, 20), at(2, 23, 15), 2),  # Friday evening to Monday: 19 business hours
        (at(2, 20, 20), at(2, 25, 1), 2),  # to Wednesday 01:00: 53
        (at(1, 5, 9), at(1, 12, 9), 2),  # exactly a week: 5 business days, decided in Python
        (at(1, 5, 9), at(1, 12, 9, 1), 2),  # over a week: settled as late in the database
        (at(1, 5, 9), at(1, 12, 9), 5),  # a week is exactly 5 business days
        (at(1, 5, 9), at(1, 12, 9, 1), 5),
        (at(1, 3, 9), at(1, 10, 9), 5),  # Saturday to Saturday: 5 business days
        (at(1, 6, 9), at(1, 5, 9), 2),  # a comment on a draft before it was ready
    ],
)
def test_first_responses_in_time_agrees_with_within_business_days_on_every_side_of_the_bounds(
    opened, answered, days
):
    helper, helper_account = person("helper")
    _, asker = person("asker")
    comment(helper_account, answered, on=issue(repo(), asker, opened))
    expected = computations.within_business_days(opened, answered, days=days)
    assert first_responses_in_time(user_ids=None, now=NOW, days=days) == ({helper.pk: 1} if expected else {})


def test_first_responses_in_time_ranks_a_request_and_an_issue_with_the_same_id_apart():
    helper, helper_account = person("helper")
    other, other_account = person("other")
    _, asker = person("asker")
    repository = repo()
    number = max(PullRequest.objects.count(), Issue.objects.count()) + 1000
    request = PullRequest.objects.create(
        pk=number, repository=repository, forge_id=number, number=number, state="open", author=asker,
        created_at=at(1, 5, 9), updated_at=at(1, 5, 9),
    )  # fmt: skip
    item = Issue.objects.create(
        pk=number, repository=repository, forge_id=number, number=number, state="open", author=asker,
        created_at=at(1, 5, 9), updated_at=at(1, 5, 9),
    )  # fmt: skip
    comment(helper_account, at(1, 5, 10), on=request)
    comment(other_account, at(1, 5, 11), on=item)
    assert first_responses_in_time(user_ids=None, now=NOW, days=2) == {helper.pk: 1, other.pk: 1}


def test_a_comment_and_a_review_at_the_same_moment_make_the_comment_the_first_response():
    commenter, commenter_account = person("commenter")
    _, reviewer_account = person("reviewer")
    _, asker = person("asker")
    request = pr(repo(), asker, at(1, 5, 9))
    review(request, reviewer_account, at(1, 5, 10))
    comment(commenter_account, at(1, 5, 10), on=request)
    assert first_responses_in_time(user_ids=None, now=NOW, days=2) == {commenter.pk: 1}


def contribute_in_sprints(account, sprints):
    """One contribution of a different kind in each sprint, three days after the sprint starts."""
    repository = repo()
    _, other = person(f"other{next(_ids)}")
    for n, sprint in enumerate(sprints):
        moment = datetime.combine(sprint_start(sprint) + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
        kind = n % 4
        if kind == 0:
            commit(repository, account, moment)
        elif kind == 1:
            pr(repository, account, moment)
        elif kind == 2:
            comment(account, moment, on=issue(repository, other, moment))
        else:
            review(pr(repository, other, moment), account, moment)


@pytest.mark.parametrize(("sprints", "earned"), [(5, False), (6, True)])
def test_sprint_streak_needs_six_consecutive_sprints(sprints, earned):
    streaker, account = person("streaker")
    contribute_in_sprints(account, range(30, 30 + sprints))
    contribute_in_sprints(account, [30 + sprints + 1])  # after a gap: does not extend the streak
    evaluate(streaker)
    assert holds(streaker, "sprint-streak") is earned


def test_sprint_streak_is_granted_again_for_a_new_streak_with_a_stable_key():
    streaker, account = person("streaker")
    contribute_in_sprints(account, range(30, 37))
    contribute_in_sprints(account, range(40, 46))
    evaluate(streaker)
    evaluate(streaker, now=NOW + timedelta(days=30))
    keys = BadgeAward.objects.filter(badge__slug="sprint-streak", user=streaker).values_list("key", flat=True)
    assert sorted(keys) == ["2025-02-24", "2025-07-14"]
    assert date.fromisoformat(min(keys)) == sprint_start(30)


def test_streaks_are_the_maximal_runs_of_consecutive_active_sprints_long_enough():
    streaker, account = person("streaker")
    contribute_in_sprints(account, [*range(-3, 3), *range(5, 8), *range(10, 17)])
    assert sorted(streaks(user_ids=None, now=NOW, length=6)) == [(streaker.pk, -3, 2), (streaker.pk, 10, 16)]
    assert sorted(streaks(user_ids=[streaker.pk], now=NOW, length=3)) == [
        (streaker.pk, -3, 2),
        (streaker.pk, 5, 7),
        (streaker.pk, 10, 16),
    ]
    assert streaks(user_ids=[streaker.pk + 1], now=NOW, length=3) == []


@pytest.mark.parametrize(
    ("moment", "sprint"),
    [
        (datetime(2024, 1, 1, tzinfo=UTC), 0),
        (datetime(2024, 1, 14, 23, 59, 59, 999999, tzinfo=UTC), 0),
        (datetime(2024, 1, 15, tzinfo=UTC), 1),
        (datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC), -1),
        (datetime(2023, 12, 18, tzinfo=UTC), -1),
        (datetime(2023, 12, 17, 23, 59, tzinfo=UTC), -2),
        (datetime(2026, 3, 2, 12, tzinfo=UTC), 56),
    ],
)
def test_the_sprint_index_counts_whole_sprints_from_the_epoch_in_the_database(moment, sprint):
    _, account = person("committer")
    commit(repo(), account, moment)
    assert Commit.objects.annotate(sprint=SprintIndex("authored_at")).get().sprint == sprint
    assert sprint_start(sprint) <= moment.date() < sprint_start(sprint + 1)


@pytest.mark.parametrize(("mentees", "earned"), [(4, False), (5, True)])
def test_mentor_needs_to_have_reviewed_the_first_merged_request_of_five_newcomers(mentees, earned):
    mentor, mentor_account = person("mentor")
    repository = repo()
    for n in range(mentees):
        _, newcomer = person(f"newcomer{n}")
        review(pr(repository, newcomer, at(2, 1), merged=at(2, 3)), mentor_account, at(2, 2))
    # A regular's later request: reviewed, but not a first one.
    _, regular = person("regular")
    pr(repository, regular, at(1, 5), merged=at(1, 6))
    review(pr(repository, regular, at(2, 1), merged=at(2, 3)), mentor_account, at(2, 2))
    evaluate(mentor)
    assert holds(mentor, "mentor") is earned


def test_mentor_counts_a_request_as_first_by_person_not_by_account():
    """First merged request of the person: a second account's later request is not a first, an unlinked
    account is its own person, requests merged together are all firsts, and only listed projects and
    merges up to now count. The evidence counts mentee accounts."""
    mentor, mentor_account = person("mentor")
    repository = repo()
    mentees = []

    def first_reviewed(author, merged):
        request = pr(repository, author, merged - timedelta(days=2), merged=merged)
        review(request, mentor_account, merged - timedelta(days=1))
        return request

    # Not a first: the same user merged earlier from another account.
    veteran, github = person("veteran")
    gitlab = ForgeAccount.objects.create(forge="gitlab", login="veteran", user=veteran)
    pr(repository, github, at(1, 5), merged=at(1, 6))
    first_reviewed(gitlab, at(2, 3))
    # A first: the account's earlier merge was in a project outside the catalog.
    _, unlisted_before = person("unlistedbefore")
    pr(repo(ProjectFactory(review_status=ReviewStatus.PENDING)), unlisted_before, at(1, 5), merged=at(1, 6))
    mentees.append(first_reviewed(unlisted_before, at(2, 3)))
    # An unlinked account is a person of its own.
    unlinked = ForgeAccount.objects.create(forge="gitlab", login="unlinked")
    mentees.append(first_reviewed(unlinked, at(2, 3)))
    # Two accounts of one user merging at the same moment: both requests are firsts.
    twin, twin_github = person("twin")
    twin_gitlab = ForgeAccount.objects.create(forge="gitlab", login="twin", user=twin)
    mentees.append(first_reviewed(twin_github, at(2, 4)))
    mentees.append(first_reviewed(twin_gitlab, at(2, 4)))
    # Not counted: a bot's first request, and a request merged after now.
    first_reviewed(bot(), at(2, 3))
    _, late = person("late")
    first_reviewed(late, NOW + timedelta(days=2))

    rule = RULES["mentor"]
    mentor_badge = badge("mentor")
    mentor_badge.parameters = {"count": len(mentees)}
    found = rule(mentor_badge, [mentor.pk], NOW)
    assert [(q.user_id, q.evidence) for q in found] == [
        (mentor.pk, {"first_time_contributors": len(mentees)})
    ]
    mentor_badge.parameters = {"count": len(mentees) + 1}
    assert rule(mentor_badge, [mentor.pk], NOW) == set()


def test_starter_badge_follows_the_starter_stage():
    kick_starter, _ = person("kickstarter", stage=Stage.STARTER)
    contributor, _ = person("contributor", stage=Stage.CONTRIBUTOR)
    assert holders("starter", kick_starter, contributor) == {"kickstarter"}


@pytest.mark.parametrize(("units", "earned"), [(4, False), (5, True)])
def test_solve_once_needs_five_other_units_actively_adopting_an_asset_one_maintains(units, earned):
    maintainer, _ = person("maintainer")
    host = BusinessUnitFactory()
    asset = AssetFactory(project=ProjectFactory(business_unit=host))
    ProjectRole.objects.create(project=asset.project, user=maintainer, role=ProjectRole.Role.MAINTAINER)
    since = date(2026, 1, 1)
    for _ in range(units):
        Adoption.objects.create(asset=asset, business_unit=BusinessUnitFactory(), team="t", since=since)
    # Neither the host's own adoption nor an ended one counts.
    Adoption.objects.create(asset=asset, business_unit=host, team="home", since=since)
    Adoption.objects.create(
        asset=asset, business_unit=BusinessUnitFactory(), team="gone", since=since, ended_on=date(2026, 2, 1)
    )
    evaluate(maintainer)
    assert holds(maintainer, "solve-once-solve-for-many") is earned


# ---------------------------------------------------------------------------------------- the engine


def test_evaluating_twice_awards_once_and_notifies_once():
    keeper, _ = person("keeper")
    RulesAcceptance.objects.create(
        user=keeper, rules=RulesVersion.objects.get_or_create(version=1, defaults={"body": "x"})[0]
    )
    assert evaluate(keeper) == {"awarded": 1, "revoked": 0}
    assert evaluate(keeper) == {"awarded": 0, "revoked": 0}
    assert BadgeAward.objects.filter(user=keeper).count() == 1
    notification = Notification.objects.get(user=keeper)
    assert notification.url == "/badges/rule-keeper/"
    assert "Rule Keeper" in notification.message


def test_evaluating_some_people_leaves_the_others_alone_and_the_backfill_reaches_everyone():
    first, _ = person("first", stage=Stage.STARTER)
    second, _ = person("second", stage=Stage.STARTER)
    evaluate(first)
    assert holds(first, "starter")
    assert not holds(second, "starter")
    assert badges_evaluate(now=NOW) == {"awarded": 1, "revoked": 0}
    assert holds(second, "starter")


def test_evaluating_in_chunks_runs_each_rule_once_and_touches_only_the_people_of_the_chunks(monkeypatch):
    first, _ = person("first", stage=Stage.STARTER)
    second, _ = person("second", stage=Stage.STARTER)
    outsider, _ = person("outsider", stage=Stage.STARTER)
    for holder in (second, outsider):  # trusted-committer awards without the role: revoked when evaluated
        BadgeAward.objects.create(badge=badge("trusted-committer"), user=holder)
    calls = []
    original = RULES["starter"]
    monkeypatch.setitem(
        RULES,
        "starter",
        lambda badge, user_ids, now: calls.append(user_ids) or original(badge, user_ids, now),
    )
    result = badges_evaluate_in_chunks(chunks=[[first.pk], [second.pk]], now=NOW)
    assert result == {"awarded": 2, "revoked": 1}
    assert calls == [None]
    assert holds(first, "starter") and holds(second, "starter")
    assert not holds(outsider, "starter")
    assert not holds(second, "trusted-committer")
    assert holds(outsider, "trusted-committer")
    assert Notification.objects.filter(user=first).count() == 1
    assert badges_evaluate_in_chunks(chunks=[[first.pk], [second.pk]], now=NOW) == {
        "awarded": 0,
        "revoked": 0,
    }


def test_whole_table_reads_run_in_a_transaction():
    with whole_table_reads():
        assert connection.in_atomic_block


@pytest.mark.postgres
def test_whole_table_reads_run_without_jit_on_postgresql():
    with whole_table_reads(), connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_an_inactive_badge_is_not_awarded():
    kick_starter, _ = person("kickstarter", stage=Stage.STARTER)
    Badge.objects.filter(slug="starter").update(active=False)
    evaluate(kick_starter)
    assert not holds(kick_starter, "starter")


def test_a_badge_with_an_unknown_rule_is_skipped():
    Badge.objects.create(slug="mystery", name="Mystery", description="?", tier="gold", rule="no_such_rule")
    kick_starter, _ = person("kickstarter", stage=Stage.STARTER)
    assert evaluate(kick_starter)["awarded"] == 1


def mass_people(n: int, unit) -> list[int]:
    """n people created in bulk: each a Starter already holding that badge, and holding a Trusted
    Committer award without the role, so that the evaluation reads and revokes n awards."""
    User = get_user_model()
    start = User.objects.count()
    User.objects.bulk_create(
        [User(username=f"mass{start + i}", password="!") for i in range(n)], batch_size=2000
    )
    users = list(
        User.objects.filter(username__startswith="mass").order_by("pk").values_list("pk", flat=True)
    )[-n:]
    Practitioner.objects.bulk_create(
        [
            Practitioner(user_id=pk, display_name=f"Mass {pk}", business_unit=unit, stage=Stage.STARTER)
            for pk in users
        ],
        batch_size=2000,
    )
    awards = [BadgeAward(badge=badge("starter"), user_id=pk) for pk in users]
    awards += [BadgeAward(badge=badge("trusted-committer"), user_id=pk) for pk in users]
    BadgeAward.objects.bulk_create(awards, batch_size=2000)
    return users


def cast() -> list[int]:
    """Two people with real activity who earn four badges on each evaluation: the helper Rule Keeper, First
    Review and Sprint Streak, the newcomer First Contribution."""
    unit = BusinessUnitFactory()
    helper, helper_account = person("casthelper", unit)
    newcomer, newcomer_account = person("castnewcomer", unit)
    RulesAcceptance.objects.create(
        user=helper, rules=RulesVersion.objects.get_or_create(version=1, defaults={"body": "x"})[0]
    )
    repository = repo()
    request = pr(repository, newcomer_account, at(2, 2, 9), merged=at(2, 3))
    comment(helper_account, at(2, 2, 10), on=request)
    review(request, helper_account, at(2, 2, 11))
    contribute_in_sprints(helper_account, range(30, 36))
    return [helper.pk, newcomer.pk]


def evaluation_queries(user_ids) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        result = badges_evaluate(user_ids=user_ids, now=NOW)
    return len(queries), result


def cast_reset(cast_ids, mass_ids):
    """Back to the state before an evaluation: the cast's awards gone, the mass's awards active."""
    BadgeAward.objects.filter(user_id__in=cast_ids).delete()
    Notification.objects.filter(user_id__in=cast_ids).delete()
    BadgeAward.objects.filter(user_id__in=mass_ids).update(revoked_at=None)


def test_the_evaluation_runs_the_same_bounded_number_of_queries_for_100_and_10000_people(
    django_assert_max_num_queries,
):
    badges = Badge.objects.filter(active=True).count()
    bound = 12 * badges + 10
    unit = BusinessUnitFactory()
    cast_ids = cast()
    mass = mass_people(100, unit)
    small, result = evaluation_queries(cast_ids + mass)
    assert result == {"awarded": 4, "revoked": 100}
    assert small <= bound

    mass += mass_people(9_900, unit)
    cast_reset(cast_ids, mass)
    with django_assert_max_num_queries(bound):
        large, result = evaluation_queries(cast_ids + mass)
    assert result == {"awarded": 4, "revoked": 10_000}
    assert large == small

    cast_reset(cast_ids, mass)
    with django_assert_max_num_queries(bound):
        backfill, result = evaluation_queries(None)
    assert result == {"awarded": 4, "revoked": 10_000}
    assert backfill == small


# ------------------------------------------------------------------------------------------- pages


def award(user, slug: str, **fields):
    return BadgeAward.objects.create(badge=badge(slug), user=user, **fields)


def test_anyone_can_read_the_badges_by_tier_with_how_many_people_hold_each(client):
    shown, _ = person("shown")
    hidden, _ = person("hidden", show_badges=False)
    award(shown, "mentor")
    award(hidden, "mentor")
    award(shown, "starter", revoked_at=NOW)
    response = client.get("/badges/")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Bronze") < content.index("Silver") < content.index("Gold")
    assert "Solve Once, Solve for Many" in content
    mentor = content[content.index("/badges/mentor/") :]
    assert "2 people hold it" in mentor[: mentor.index("</li>")]
    starter = content[content.index("/badges/starter/") :]
    assert "0 people hold it" in starter[: starter.index("</li>")]
    assert "You hold it" not in content


def test_the_badge_list_reads_the_holder_counts_in_one_query_however_many_holders(
    client, django_assert_num_queries
):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"holder{n:03}", password="!") for n in range(30)])
    awards = [BadgeAward(badge=badge("mentor"), user=u) for u in User.objects.all()]
    BadgeAward.objects.bulk_create(awards)
    # Do-Not-Track keeps the page view out of the count: what is measured is the page's own reads.
    with django_assert_num_queries(1):
        content = client.get("/badges/", headers={"DNT": "1"}).content.decode()
    assert "30 people hold it" in content


def test_a_signed_in_person_sees_which_badges_they_hold(client):
    holder, _ = person("holder")
    award(holder, "first-review")
    client.force_login(holder)
    content = client.get("/badges/").content.decode()
    assert "You hold 1 of the badges below" in content
    first_review = content[content.index("/badges/first-review/") :]
    assert "You hold it" in first_review[: first_review.index("</li>")]
    mentor = content[content.index("/badges/mentor/") :]
    assert "You hold it" not in mentor[: mentor.index("</li>")]


def test_the_badge_page_lists_visible_holders_alphabetically_and_hides_those_who_hide_badges(client):
    zoe, _ = person("zoe")
    adam, _ = person("adam")
    shy, _ = person("shy", show_badges=False)
    private, _ = person("private", visibility=Practitioner.Visibility.PRIVATE)
    revoked, _ = person("revoked")
    for user in (zoe, adam, shy, private):
        award(user, "trusted-committer")
    award(revoked, "trusted-committer", revoked_at=NOW)
    client.force_login(UserFactory(username="colleague"))  # holders are people's data
    response = client.get("/badges/trusted-committer/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "How to earn it" in content
    assert badge("trusted-committer").how_to_earn.split(":")[0] in content
    assert content.index('href="/practitioners/adam/"') < content.index('href="/practitioners/zoe/"')
    assert ">Adam<" in content
    for name in ("shy", "private", "revoked"):
        assert f"/practitioners/{name}/" not in content
    assert "4 people hold this badge; 2 of them keep their badges private" in content


def test_the_badge_page_shows_holders_fifty_at_a_time(client):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"holder{n:03}", password="!") for n in range(60)])
    users = list(User.objects.filter(username__startswith="holder"))
    Practitioner.objects.bulk_create([Practitioner(user=u, display_name=u.username) for u in users])
    BadgeAward.objects.bulk_create([BadgeAward(badge=badge("mentor"), user=u) for u in users])
    client.force_login(UserFactory(username="colleague"))
    first = client.get("/badges/mentor/").content.decode()
    assert "/practitioners/holder049/" in first
    assert "/practitioners/holder050/" not in first
    assert "Page 1 of 2" in first
    second = client.get("/badges/mentor/?page=2").content.decode()
    assert "/practitioners/holder050/" in second
    assert "/practitioners/holder000/" not in second


def test_the_badge_page_tells_a_holder_they_hold_it_and_how_often(client):
    streaker, _ = person("streaker")
    award(streaker, "sprint-streak", key="2025-02-24")
    award(streaker, "sprint-streak", key="2025-07-14")
    client.force_login(streaker)
    content = client.get("/badges/sprint-streak/").content.decode()
    assert "You hold this badge 2 times" in content
    assert "×2" in content


def test_an_unknown_badge_is_not_found(client):
    client.force_login(UserFactory(username="colleague"))
    assert client.get("/badges/no-such-badge/").status_code == 404


def test_a_badge_page_sends_anonymous_visitors_to_sign_in_but_the_list_is_open(client):
    holder, _ = person("holder")
    award(holder, "mentor")
    response = client.get("/badges/mentor/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/badges/mentor/"
    assert "1 person holds it" in client.get("/badges/").content.decode()
