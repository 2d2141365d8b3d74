"""The metric selectors of METRICS.md over small hand-built histories, each answer computed by hand.

Period unless said otherwise: Q1 2026 = [2026-01-01, 2026-04-01). January 2026: the 5th, 12th and 19th
are Mondays. Each test builds only the rows its answer depends on.
"""

from datetime import UTC, date, datetime
from itertools import count

import pytest

from catalog.models import Adoption, Project, ReviewStatus
from metrics.models import ForgeAccount, PullRequest, Release
from metrics.selectors import contribution_activity, reuse_adoptions, time_to_value
from tests.activity import account, comment, commit, issue, pr, repo, review
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory, person_in_unit

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 4, 1)
_ids = count(1)


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def person(login: str, unit=None, *, profile: bool = True) -> ForgeAccount:
    """A portal user (with a practitioner profile in `unit`) and their linked GitHub account."""
    user = person_in_unit(login, unit) if profile else UserFactory(username=login)
    return account(login, user=user)


def one(project):
    return Project.objects.filter(pk=project.pk)


def activity(project=None, start=START, end=END):
    return contribution_activity(projects=None if project is None else one(project), start=start, end=end)


def ttv(project=None, start=START, end=END):
    return time_to_value(projects=None if project is None else one(project), start=start, end=end)


@pytest.fixture
def host():
    return BusinessUnitFactory(name="Host", slug="host")


@pytest.fixture
def project(host):
    return ProjectFactory(business_unit=host)


@pytest.fixture
def bot():
    return account("helper[bot]", bot=True)


# Contribution Activity


def test_change_requests_count_by_their_dates_and_the_closure_ratio_by_the_requests_open_in_p(project, bot):
    r, dev = repo(project), account("dev")
    pr(r, dev, at(12, 20, year=2025), merged=at(1, 10))  # A: created before P, merged in P
    pr(r, dev, at(12, 1, year=2025), closed=at(12, 31, 23, 59, year=2025))  # closed before P: not open in P
    pr(r, dev, at(1, 1))  # C: created at start (inclusive), still open
    pr(r, dev, at(4, 1))  # created at end (exclusive): outside P
    pr(r, dev, at(2, 1), closed=at(3, 31, 23))  # E: opened and declined in P
    pr(r, dev, at(3, 1), merged=at(4, 1))  # F: opened in P, merged at end: not merged in P
    # merged before P with closed_at empty (as GitLab records merges): not open in P
    PullRequest.objects.filter(pk=pr(r, dev, at(10, 1, year=2025), merged=at(12, 1, year=2025)).pk).update(
        closed_at=None
    )
    pr(r, bot, at(1, 5), merged=at(1, 6))  # a bot's request counts nowhere
    figures = activity(project)
    # opened: C, E, F = 3; merged: A = 1; declined: E = 1; open in P: A, C, E, F = 4 -> (1 + 1) / 4
    assert figures["change_requests_opened"] == 3
    assert figures["change_requests_merged"] == 1
    assert figures["change_requests_declined"] == 1
    assert figures["change_request_closure_ratio"] == 0.5


def test_the_closure_ratio_is_null_when_no_request_was_open(project):
    assert activity(project)["change_request_closure_ratio"] is None


def test_the_innersource_ratio_counts_merged_requests_of_known_units_only(project, host, bot):
    other, third = BusinessUnitFactory(slug="other"), BusinessUnitFactory(slug="third")
    r = repo(project)
    colleague, outsider = person("colleague", host), person("outsider", other)
    for author in (colleague, outsider, outsider):
        pr(r, author, at(1, 5), merged=at(1, 6))
    pr(r, person("no-unit", None), at(1, 5), merged=at(1, 6))  # profile without a unit
    pr(r, person("no-profile", profile=False), at(1, 5), merged=at(1, 6))  # no profile
    pr(r, account("unlinked"), at(1, 5), merged=at(1, 6))  # nobody's account
    pr(r, bot, at(1, 5), merged=at(1, 6))
    pr(r, outsider, at(1, 5))  # not merged
    # known units: colleague (host) + outsider × 2 = 3; of another unit: 2 -> 2 / 3
    assert activity(project)["innersource_ratio"] == 0.6667
    # program level: a second project hosted by `third`, where a `third` person's merged request is
    # of the same unit -> known 4, other 2 -> 0.5
    second = ProjectFactory(business_unit=third)
    pr(repo(second), person("thirdling", third), at(2, 1), merged=at(2, 2))
    assert activity()["innersource_ratio"] == 0.5


def test_the_innersource_ratio_is_null_without_a_merged_request_of_known_unit(project):
    pr(repo(project), account("unlinked"), at(1, 5), merged=at(1, 6))
    assert activity(project)["innersource_ratio"] is None


def test_contributors_are_distinct_people_and_exclude_bots_merge_commits_and_the_end(project, bot):
    r, git = repo(project), repo(project, "git")
    alice = person("alice")
    alice_git = account("alice@corp.example", user=alice.user, forge="git")
    request = pr(r, alice, at(1, 5))  # alice through GitHub...
    commit(git, alice_git, at(1, 6))  # ...and through git: one person
    review(request, account("bob"), at(1, 7), state="commented")
    review(request, account("frank"), None, state="pending")  # a pending review is no contribution
    issue(r, account("erin"), at(1, 1))  # start inclusive
    comment(account("carol"), at(4, 1), on=request)  # end exclusive
    comment(bot, at(1, 8), on=request)
    commit(git, account("dave@corp.example", forge="git"), at(1, 9), merge=True)  # merge commit only
    gina = account("gina@corp.example", forge="git")
    commit(git, gina, at(1, 9))
    commit(r, None, at(1, 10), email="Gina@Corp.example")  # no account, gina's address: gina again
    # alice, bob, erin, gina = 4
    assert activity(project)["contributors"] == 4


def test_new_contributors_have_their_first_contribution_of_all_history_in_p(project):
    r, git = repo(project), repo(project, "git")
    elsewhere = repo(ProjectFactory())
    unlisted = repo(ProjectFactory(review_status=ReviewStatus.PENDING))
    alice = person("alice")
    commit(git, account("alice@corp.example", user=alice.user, forge="git"), at(6, 1, year=2025))
    pr(r, alice, at(1, 5))  # returning through her linked git identity
    bob = account("bob")
    issue(elsewhere, bob, at(6, 1, year=2025))
    issue(unlisted, bob, at(7, 1, year=2025))
    issue(r, bob, at(1, 5))  # new here, returning for the program (and "anywhere" includes unlisted)
    issue(r, account("erin"), at(2, 1))  # new everywhere
    ivan = account("ivan@corp.example", forge="git")
    commit(git, ivan, at(6, 1, year=2025), merge=True)  # a merge commit is no first contribution
    commit(git, ivan, at(1, 7))
    gina = account("gina@corp.example", forge="git")
    commit(r, None, at(6, 1, year=2025), email="GINA@corp.example")  # her earlier account-less commit
    commit(git, gina, at(1, 8))
    # project: contributors alice, bob, erin, ivan, gina = 5; new: bob, erin, ivan = 3
    assert (activity(project)["contributors"], activity(project)["new_contributors"]) == (5, 3)
    # program: the same 5 people; bob contributed before P elsewhere -> new: erin, ivan = 2
    assert (activity()["contributors"], activity()["new_contributors"]) == (5, 2)


def test_program_level_counts_a_person_once_across_projects(project):
    second = ProjectFactory()
    ProjectFactory(review_status=ReviewStatus.PENDING)  # not listed: left out below
    alice, bob = person("alice"), account("bob")
    commit(repo(project), alice, at(1, 5), times=3)
    commit(repo(second), alice, at(1, 6), times=2)
    commit(repo(second), bob, at(1, 6), times=4)
    unlisted = Project.objects.get(review_status=ReviewStatus.PENDING)
    commit(repo(unlisted), account("zed"), at(1, 6), times=50)
    figures = activity()
    # alice (3 + 2 = 5) and bob (4): 2 people; total 9, half 4.5: alice's 5 alone reach it -> 1
    assert figures["contributors"] == 2
    assert figures["contributor_absence_factor"] == 1
    # project by project, alice counts in both and bob in the second
    assert activity(project)["contributors"] == 1
    assert activity(second)["contributors"] == 2


def test_absence_and_elephant_factors_leave_out_bots_merges_and_unknown_units(project, bot):
    u1, u2, u3 = (BusinessUnitFactory(slug=s) for s in ("u1", "u2", "u3"))
    r = repo(project)
    commit(r, person("p1", u1), at(1, 5), times=5)
    commit(r, person("p2", u2), at(1, 5), times=3)
    p3 = person("p3", u2)
    commit(r, p3, at(1, 5), times=4)
    commit(r, p3, at(1, 5), merge=True, times=10)  # merge commits ignored
    commit(r, person("p5", u3), at(1, 5), times=5)
    commit(r, account("p4"), at(1, 5), times=20)  # unlinked: a person, of unknown unit
    commit(r, bot, at(1, 5), times=30)
    commit(r, person("p6", u1), at(4, 1), times=40)  # at end: outside P
    figures = activity(project)
    # people: [20, 5, 5, 4, 3], total 37, half 18.5: 20 reaches it -> 1
    assert figures["contributor_absence_factor"] == 1
    # units without p4: u2 = 3 + 4 = 7, u1 = 5, u3 = 5; total 17, half 8.5: 7 < 8.5, 7 + 5 = 12 -> 2
    # (had p4's 20 counted as a unit, 20 of 37 would give 1)
    assert figures["elephant_factor"] == 2


def test_factors_are_0_without_commits(project):
    figures = activity(project)
    assert (figures["contributor_absence_factor"], figures["elephant_factor"], figures["contributors"]) == (
        0,
        0,
        0,
    )


def test_contribution_activity_runs_a_bounded_number_of_queries(project, django_assert_max_num_queries):
    r, git = repo(project), repo(project, "git")

    def grow(n):
        for i in range(n):
            author = person(f"dev{next(_ids)}") if i % 2 else account(f"acc{next(_ids)}")
            request = pr(r, author, at(1, 5), merged=at(1, 6))
            review(request, account(f"rev{next(_ids)}"), at(1, 6), state="approved")
            comment(account(f"c{next(_ids)}"), at(1, 6), on=request)
            issue(r, author, at(1, 7))
            commit(git, account(f"g{next(_ids)}@x.example", forge="git"), at(6, 1, year=2025))
            commit(r, None, at(1, 8), email=f"nobody{next(_ids)}@x.example")

    grow(2)
    with django_assert_max_num_queries(15):
        small = activity(project)
    grow(30)
    with django_assert_max_num_queries(15):
        large = activity(project)
    assert (small["change_requests_merged"], large["change_requests_merged"]) == (2, 32)


# Time to Value


def test_the_worked_example_draft_request_waits_24_hours_for_its_first_response(project, bot):
    r, author = repo(project), account("author")
    request = pr(r, author, at(1, 5, 9), draft=True, ready=at(1, 5, 13))  # Monday 09:00, ready 13:00
    comment(author, at(1, 5, 14), on=request)  # the author: not a response
    comment(bot, at(1, 5, 14, 5), on=request)  # a bot: not a response
    comment(account("colleague"), at(1, 6, 13), on=request)  # Tuesday 13:00
    figures = ttv(project)
    # Tuesday 13:00 - Monday 13:00 (ready) = 24 h, 24 weekday hours <= 48
    assert figures["time_to_first_response"] == {
        "count": 1, "unanswered": 0, "median_hours": 24, "p90_hours": 24,
    }  # fmt: skip
    assert figures["responded_within_2_business_days"] == 1.0


def test_first_responses_skip_self_reviews_bots_and_count_weekends_out_of_business_days(project, bot):
    r = repo(project)
    alice, bob, erin = person("alice"), account("bob"), account("erin")
    alice_again = account("alice-work", user=alice.user)  # alice's second linked account
    friday = issue(r, erin, at(1, 9, 10))  # Friday 10:00
    comment(bob, at(1, 12, 10), on=friday)  # Monday 10:00: 72 h, 14 + 10 = 24 weekday hours
    late = issue(r, erin, at(1, 16, 10))  # Friday 10:00
    comment(bob, at(1, 20, 11), on=late)  # Tuesday 11:00: 97 h, 14 + 24 + 11 = 49 weekday hours
    request = pr(r, alice, at(1, 7, 10))  # Wednesday 10:00
    comment(alice_again, at(1, 7, 11), on=request)  # alice herself through another account
    review(request, alice_again, at(1, 7, 12), state="commented")  # self-review
    review(request, bob, at(1, 7, 13), state="pending")  # pending reviews are not responses
    review(request, bob, at(1, 7, 16), state="approved")  # 6 h
    early = pr(r, alice, at(1, 8, 9), draft=True, ready=at(1, 8, 12))
    comment(bob, at(1, 8, 10), on=early)  # answered on the draft before it was ready: 0 h
    silent = issue(r, alice, at(1, 13))
    comment(bot, at(1, 13, 1), on=silent)  # only a bot answered: unanswered
    pr(r, bob, at(1, 14), draft=True)  # still a draft, never ready: not waiting for anyone
    old = issue(r, erin, at(12, 30, year=2025))  # created before P
    comment(bob, at(1, 2), on=old)
    issue(r, bot, at(1, 15))  # a bot's issue is no item
    figures = ttv(project)
    # durations [0, 6, 72, 97]: median rank 1.5 -> 6 + 0.5 × 66 = 39; p90 rank 2.7 -> 72 + 0.7 × 25 = 89.5
    assert figures["time_to_first_response"] == {
        "count": 4, "unanswered": 1, "median_hours": 39, "p90_hours": 89.5,
    }  # fmt: skip
    # within 2 business days: 0, 6 and the Friday-to-Monday 72 (24 weekday hours) = 3 of 4 + 1 unanswered
    assert figures["responded_within_2_business_days"] == 0.6


def test_time_to_first_response_is_null_with_no_items(project):
    figures = ttv(project)
    assert figures["time_to_first_response"] == {
        "count": 0, "unanswered": 0, "median_hours": None, "p90_hours": None,
    }  # fmt: skip
    assert figures["responded_within_2_business_days"] is None


def test_time_to_merge_runs_from_ready_for_review_or_creation_for_requests_merged_in_p(project, bot):
    r, dev = repo(project), account("dev")
    pr(r, dev, at(1, 5, 9), merged=at(1, 5, 21))  # 12 h
    pr(r, dev, at(1, 5), draft=True, ready=at(1, 7), merged=at(1, 7, 6))  # from ready: 6 h
    pr(r, dev, at(3, 30), merged=at(4, 1))  # merged at end: outside P
    pr(r, dev, at(12, 1, year=2025), merged=at(12, 31, year=2025))  # merged before P
    pr(r, bot, at(1, 5), merged=at(1, 9))  # a bot's request
    # [6, 12]: median 9; p90 6 + 0.9 × 6 = 11.4
    assert ttv(project)["time_to_merge"] == {"count": 2, "median_hours": 9, "p90_hours": 11.4}


def test_issue_time_to_close_covers_issues_closed_in_p(project, bot):
    r, dev = repo(project), account("dev")
    issue(r, dev, at(12, 31, 12, year=2025), closed=at(1, 1))  # created before P, closed at start: 12 h
    issue(r, dev, at(1, 10), closed=at(1, 12))  # 48 h
    issue(r, dev, at(3, 1), closed=at(4, 1))  # closed at end: outside P
    issue(r, dev, at(2, 1))  # open
    issue(r, bot, at(1, 10), closed=at(1, 11))
    # [12, 48]: median 30; p90 12 + 0.9 × 36 = 44.4
    assert ttv(project)["issue_time_to_close"] == {"count": 2, "median_hours": 30, "p90_hours": 44.4}


def test_velocity_is_requests_merged_per_week_of_the_period(project):
    r, dev = repo(project), account("dev")
    for day in (5, 10, 18):
        pr(r, dev, at(1, day), merged=at(1, day, 1))
    pr(r, dev, at(1, 18), merged=at(1, 19))  # merged at end
    # 3 merged in [Jan 5, Jan 19) = 14 days = 2 weeks -> 1.5 a week
    assert (
        time_to_value(projects=one(project), start=date(2026, 1, 5), end=date(2026, 1, 19))[
            "velocity_merged_per_week"
        ]
        == 1.5
    )


def test_the_velocity_of_a_period_not_over_is_the_rate_of_its_part_that_has_passed(project):
    import time_machine

    r, dev = repo(project), account("dev")
    for day in (5, 10, 18):
        pr(r, dev, at(1, day), merged=at(1, day, 1))
    # On Jan 19 at 00:00, [Jan 5, Feb 2) has had 14 of its 28 days: 3 merged in 2 weeks, 1.5 a week
    # (not 0.75 over 4 weeks, two of which have not happened).
    with time_machine.travel(datetime(2026, 1, 19, tzinfo=UTC), tick=False):
        figures = time_to_value(projects=one(project), start=date(2026, 1, 5), end=date(2026, 2, 2))
    assert figures["velocity_merged_per_week"] == 1.5


def test_releases_count_published_non_draft_releases_in_p(project, bot):
    r = repo(project)

    def release(tag, published, *, prerelease=False, draft=False, author=None):
        Release.objects.create(
            repository=r, forge_id=tag, tag=tag, draft=draft, prerelease=prerelease,
            published_at=published, author=author,
        )  # fmt: skip

    release("v1", at(1, 1))  # start inclusive
    release("v2-rc1", at(2, 1), prerelease=True)
    release("v2", at(3, 31, 23), author=account("maintainer"))
    release("v3", None, draft=True)  # a draft is not published
    release("v0", at(12, 31, year=2025))
    release("v4", at(4, 1))  # end exclusive
    release("v2.1", at(3, 2), author=bot)  # bots are excluded everywhere, releases included
    figures = ttv(project)
    # v1, v2-rc1, v2 = 3, of which 1 pre-release
    assert (figures["releases"], figures["prereleases"]) == (3, 1)


def test_review_coverage_and_self_merge_rate_look_at_approvals_by_someone_else(project, bot):
    r = repo(project)
    alice, bob, carol = person("alice"), account("bob"), account("carol")
    alice_again = account("alice-work", user=alice.user)
    p1 = pr(r, alice, at(1, 5), merged=at(1, 6), merged_by=alice)
    review(p1, bob, at(1, 5, 12), state="approved")  # approved by someone else: covered
    p2 = pr(r, alice, at(1, 5), merged=at(1, 6), merged_by=alice_again)
    review(p2, alice_again, at(1, 5, 12), state="approved")  # self-approval through her second account
    review(p2, bot, at(1, 5, 13), state="approved")  # a bot's approval
    pr(r, bob, at(1, 5), merged=at(1, 6), merged_by=carol)  # p3: no review, merged by another
    p4 = pr(r, carol, at(1, 5), merged=at(1, 6), merged_by=carol)
    review(p4, bob, at(1, 5, 12), state="changes_requested")
    review(p4, bob, at(1, 5, 13), state="commented")
    p5 = pr(r, bob, at(1, 5), merged=at(1, 6))  # merger unknown
    review(p5, alice, at(1, 5, 12), state="dismissed")
    pr(r, bot, at(1, 5), merged=at(1, 6), merged_by=bot)  # a bot's request: not in the denominator
    figures = ttv(project)
    # 5 merged; covered: p1 = 1 -> 0.2; merged by the author without another's approval: p2, p4 -> 0.4
    assert (figures["review_coverage"], figures["self_merge_rate"]) == (0.2, 0.4)


def test_review_coverage_and_self_merge_rate_are_null_when_nothing_merged(project):
    figures = ttv(project)
    assert (figures["review_coverage"], figures["self_merge_rate"]) == (None, None)


def test_program_level_time_to_value_covers_every_listed_project(project):
    dev = account("dev")
    pr(repo(project), dev, at(1, 5), merged=at(1, 5, 10))  # 10 h
    pr(repo(ProjectFactory()), dev, at(1, 5), merged=at(1, 5, 20))  # 20 h
    pr(repo(ProjectFactory(review_status=ReviewStatus.PENDING)), dev, at(1, 5), merged=at(1, 6))
    # listed: [10, 20] -> median 15, p90 10 + 0.9 × 10 = 19
    assert ttv()["time_to_merge"] == {"count": 2, "median_hours": 15, "p90_hours": 19}


# Reuse and Collaboration: adoptions


def test_adoptions_count_new_active_units_other_than_the_host_and_distinct_products(project, host):
    x, y, z = (BusinessUnitFactory(slug=s) for s in ("x", "y", "z"))
    asset = AssetFactory(project=project)

    def adopt(unit, product, since, *, created=None, ended=None, on=asset):
        Adoption.objects.create(
            asset=on, business_unit=unit, team=f"team {next(_ids)}", product=product, since=since,
            ended_on=ended, created_at=created or datetime.combine(since, datetime.min.time(), UTC),
        )  # fmt: skip

    adopt(x, "Checkout", date(2025, 6, 1))  # active at end, created before P
    adopt(y, " checkout ", date(2026, 2, 1))  # new; the same product as above
    adopt(host, "Billing", date(2026, 3, 1))  # new, active, but the host unit
    adopt(z, "Ledger", date(2025, 1, 1), ended=END)  # ended on the end day: not active at end
    adopt(z, "", date(2026, 4, 1))  # created at end (not new) yet active on the end day; no product
    figures = reuse_adoptions(projects=one(project), start=START, end=END)
    # new: y, host = 2; active: x, y, host, the last z = 4; units: x, y, z (host left out) = 3;
    # products: checkout, billing = 2
    assert figures == {
        "adoptions_new": 2, "adoptions_active": 4, "adopting_business_units": 3, "product_integrations": 2,
        "adoptions_detected": 0, "consuming_repositories": 0,  # all declared
    }  # fmt: skip
    # program level: x adopts its own project's asset (left out for that adoption only, x still counts)
    own = AssetFactory(project=ProjectFactory(business_unit=x))
    adopt(x, "Payroll", date(2026, 1, 15), on=own)
    figures = reuse_adoptions(projects=None, start=START, end=END)
    # new: 2 + 1 = 3; active: 4 + 1 = 5; units: still x, y, z = 3; products: + payroll = 3
    assert figures == {
        "adoptions_new": 3, "adoptions_active": 5, "adopting_business_units": 3, "product_integrations": 3,
        "adoptions_detected": 0, "consuming_repositories": 0,
    }  # fmt: skip
