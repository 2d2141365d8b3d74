"""The daily aggregates behind the contribution figures (metrics.daily): on hand-built histories the
figures read from them equal the figures computed from the rows (tests/metrics/raw_contribution.py),
for any scope and any period up to the whole history; they follow the services' batches (idempotent,
changes and removals move counts), single-row saves, accounts flagged bots, and the rebuild command
restores them."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Project, ReviewStatus
from metrics.models import Commit, ContributorDay, ForgeAccount, PullRequest, RequestDay
from metrics.selectors import contribution_activity
from metrics.services import activity_upsert
from metrics.sync import records
from tests.activity import account, comment, commit, issue, pr, repo, review
from tests.factories import BusinessUnitFactory, ProjectFactory
from tests.metrics.raw_contribution import AGGREGATED, raw_contribution_activity
from tests.metrics.test_metric_selectors import person

pytestmark = pytest.mark.django_db

FIRST = datetime(2024, 6, 1, tzinfo=UTC)
SPAN_HOURS = 24 * 730  # two years of activity from FIRST
PERIODS = [
    (date(2026, 1, 1), date(2026, 4, 1)),  # a quarter
    (date(2025, 3, 17), date(2025, 3, 18)),  # one day
    (date(2025, 1, 1), date(2026, 1, 1)),  # a year
    (date(2000, 1, 1), date(2026, 12, 5)),  # the whole recorded history
    (date(2010, 1, 1), date(2011, 1, 1)),  # before any activity
    (date(2024, 9, 30), date(2026, 2, 14)),  # an odd length
]


def aggregated(projects, start, end) -> dict:
    figures = contribution_activity(projects=projects, start=start, end=end)
    return {key: figures[key] for key in AGGREGATED}


def kept_rows() -> tuple[list, list]:
    """Everything the aggregates hold, comparable across rebuilds (no ids)."""
    requests = RequestDay.objects.values_list("repository_id", "day", "opened", "merged", "declined", "ended")
    contributors = ContributorDay.objects.values_list(
        "repository_id", "day", "who", "account_id", "email", "commits", "actions"
    )
    return sorted(requests), sorted(contributors)


def build_history(seed: int) -> list[Project]:
    """Two listed projects of two units, an unlisted one, and a mix of people: linked (with and without
    a unit), unlinked, git identities linked to the same user, account-less commits whose e-mail a git
    account claims (in another case), bots and authorless rows; requests open, merged or declined."""
    rng = random.Random(seed)
    units = [BusinessUnitFactory(), BusinessUnitFactory()]
    projects = [ProjectFactory(business_unit=units[0]), ProjectFactory(business_unit=units[1])]
    unlisted = ProjectFactory(review_status=ReviewStatus.PENDING)
    repositories = [repo(projects[0]), repo(projects[0], "git"), repo(projects[1]), repo(unlisted)]
    ana, ben = person(f"ana{seed}", units[0]), person(f"ben{seed}", units[1])
    cleo = person(f"cleo{seed}", profile=False)
    accounts = [
        ana,
        ben,
        cleo,
        account(f"ana{seed}@corp.example", user=ana.user, forge="git"),
        account(f"dan{seed}"),
        account(f"eve{seed}"),
        account(f"fay{seed}@corp.example", forge="git"),
        account(f"bot{seed}[bot]", bot=True),
        account(f"ci{seed}@bots.example", forge="git", bot=True),
        None,
    ]
    emails = [
        f"Ana{seed}@Corp.example",
        f"fay{seed}@corp.example",
        f"ci{seed}@bots.example",
        "x@else.example",
    ]

    def moment(after: datetime | None = None) -> datetime:
        if after is not None:
            return after + timedelta(hours=rng.randrange(1, 24 * 40))
        return FIRST + timedelta(hours=rng.randrange(SPAN_HOURS), minutes=rng.randrange(60))

    for _ in range(70):
        where, author, created = rng.choice(repositories), rng.choice(accounts), moment()
        fate = rng.random()
        if fate < 0.5:
            request = pr(where, author, created, merged=moment(created), merged_by=rng.choice(accounts))
        elif fate < 0.7:
            request = pr(where, author, created, closed=moment(created))
        else:
            request = pr(where, author, created)
        for _review in range(rng.randrange(3)):
            state = rng.choice(["approved", "commented", "pending"])
            review(request, rng.choice(accounts[:-1]), moment(created), state=state)
        if rng.random() < 0.6:
            comment(rng.choice(accounts[:-1]), moment(created), on=request)
    for _ in range(20):
        opened = moment()
        thread = issue(rng.choice(repositories), rng.choice(accounts), opened)
        if rng.random() < 0.5:
            comment(rng.choice(accounts[:-1]), moment(opened), on=thread)
    for _ in range(60):
        author = rng.choice(accounts)
        email = rng.choice(emails) if author is None else ""
        commit(rng.choice(repositories), author, moment(), merge=rng.random() < 0.15, email=email,
               times=rng.randrange(1, 4))  # fmt: skip
    return projects


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_from_the_aggregates_equal_the_figures_from_the_rows_for_any_scope_and_period(seed):
    projects = build_history(seed)
    unit = projects[1].business_unit
    scopes = [
        None,
        Project.objects.filter(pk=projects[0].pk),
        Project.objects.filter(pk=projects[1].pk),
        Project.objects.listed().filter(business_unit=unit),
    ]
    for scope in scopes:
        for start, end in PERIODS:
            assert aggregated(scope, start, end) == raw_contribution_activity(
                projects=scope, start=start, end=end
            ), (scope, start, end)
    # Something was counted: the comparison is not between two empty reports.
    whole = aggregated(None, *PERIODS[3])
    assert whole["contributors"] > 3 and whole["change_requests_opened"] > 20


def test_the_rebuild_command_restores_a_truncated_range_and_equals_what_was_kept():
    build_history(4)
    kept = kept_rows()
    quarter = (date(2025, 1, 1), date(2025, 4, 1))
    before = aggregated(None, *quarter)
    RequestDay.objects.filter(day__gte=quarter[0], day__lt=quarter[1]).delete()
    ContributorDay.objects.filter(day__gte=quarter[0], day__lt=quarter[1]).update(commits=0)
    assert aggregated(None, *quarter) != before

    call_command("rebuild_daily_aggregates", "--start", "2025-01-01", "--end", "2025-04-01", stdout=None)
    assert kept_rows() == kept
    assert aggregated(None, *quarter) == before

    # The whole history from scratch: the same rows as those the writes kept one by one.
    RequestDay.objects.all().delete()
    ContributorDay.objects.all().delete()
    call_command("rebuild_daily_aggregates")
    assert kept_rows() == kept


def test_the_rebuild_command_refuses_a_backward_range():
    with pytest.raises(Exception, match="before --end"):
        call_command("rebuild_daily_aggregates", "--start", "2025-04-01", "--end", "2025-01-01")


# Through the services: what a sync writes.

WHEN = datetime(2026, 2, 2, 9, tzinfo=UTC)
ANA = records.AccountRecord(login="ana")
BEN = records.AccountRecord(login="ben")


def request(number: int, author=ANA, *, merged=None, closed=None, created=WHEN) -> records.PullRequestRecord:
    return records.PullRequestRecord(
        forge_id=number, number=number, title="t", state="merged" if merged else "closed" if closed else "open",
        author=author, created_at=created, updated_at=created, merged_at=merged, closed_at=closed or merged,
    )  # fmt: skip


def batch() -> records.ActivityBatch:
    return records.ActivityBatch(
        pull_requests=[
            request(1, merged=WHEN + timedelta(days=1)),
            request(2, BEN, closed=WHEN + timedelta(days=3)),
            request(3),
        ],
        reviews=[
            records.ReviewRecord(
                pull_request_number=1,
                forge_id=11,
                author=BEN,
                state="approved",
                submitted_at=WHEN + timedelta(hours=3),
            )
        ],  # fmt: skip
        issues=[
            records.IssueRecord(
                forge_id=21, number=4, title="i", state="open", author=BEN, created_at=WHEN, updated_at=WHEN
            )
        ],  # fmt: skip
        comments=[
            records.CommentRecord(
                forge_id=31,
                kind="issue",
                author=ANA,
                created_at=WHEN + timedelta(days=2),
                updated_at=WHEN,
                issue_number=4,
            )
        ],  # fmt: skip
        commits=[
            records.CommitRecord(
                sha=f"{n:040x}",
                author=ANA if n % 2 else None,
                author_name="A",
                author_email="Someone@Else.example",
                authored_at=WHEN + timedelta(days=n),
            )
            for n in range(1, 5)
        ],  # fmt: skip
    )


def february(project) -> dict:
    return aggregated(Project.objects.filter(pk=project.pk), date(2026, 2, 1), date(2026, 3, 1))


def test_a_sync_keeps_the_aggregates_and_a_resync_of_the_same_rows_changes_nothing():
    repository = repo()
    with CaptureQueriesContext(connection) as queries:
        activity_upsert(repository=repository, batch=batch())
    # New rows only add: no cell can have reached zero, so none is looked for.
    aggregates = (RequestDay._meta.db_table, ContributorDay._meta.db_table)
    assert not [
        q for q in queries if q["sql"].startswith("DELETE") and any(t in q["sql"] for t in aggregates)
    ]
    kept = kept_rows()
    figures = february(repository.project)
    assert figures == raw_contribution_activity(
        projects=Project.objects.filter(pk=repository.project_id),
        start=date(2026, 2, 1),
        end=date(2026, 3, 1),
    )
    # ana, ben, and the e-mail of the account-less commits
    assert (figures["change_requests_opened"], figures["contributors"]) == (3, 3)

    activity_upsert(repository=repository, batch=batch())
    activity_upsert(repository=repository, batch=batch())
    assert kept_rows() == kept


def test_a_changed_request_and_a_removed_commit_move_their_counts():
    repository = repo()
    activity_upsert(repository=repository, batch=batch())
    changed = records.ActivityBatch(
        # #1 is now by ben, opened in January and merged in March; #3 is declined in February.
        pull_requests=[
            request(1, BEN, created=WHEN - timedelta(days=20), merged=datetime(2026, 3, 3, tzinfo=UTC)),
            request(3, closed=WHEN + timedelta(days=5)),
        ],
        removed_commit_shas=[f"{2:040x}", f"{4:040x}"],  # the two account-less commits
    )
    activity_upsert(repository=repository, batch=changed)
    project = Project.objects.filter(pk=repository.project_id)
    for start, end in [(date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 2, 1), date(2026, 3, 1)),
                       (date(2026, 3, 1), date(2026, 4, 1)), (date(2000, 1, 1), date(2026, 12, 5))]:  # fmt: skip
        assert aggregated(project, start, end) == raw_contribution_activity(
            projects=project, start=start, end=end
        )
    figures = february(repository.project)
    assert (figures["change_requests_opened"], figures["change_requests_merged"]) == (2, 0)
    assert figures["change_requests_declined"] == 2
    assert figures["contributors"] == 2  # the e-mail's commits are gone
    kept = kept_rows()
    call_command("rebuild_daily_aggregates")
    assert kept_rows() == kept


def test_an_account_found_to_be_a_bot_takes_its_requests_out():
    repository = repo()
    activity_upsert(repository=repository, batch=batch())
    assert february(repository.project)["change_requests_opened"] == 3
    activity_upsert(
        repository=repository,
        batch=records.ActivityBatch(
            issues=[], pull_requests=[request(9, records.AccountRecord(login="ana", is_bot=True))]
        ),
    )
    # ana's two requests, and her new one, are a bot's: ben's one is left
    assert february(repository.project)["change_requests_opened"] == 1
    assert ForgeAccount.objects.get(login="ana").is_bot


# Single-row writes (the admin, a one-off fix): the aggregates follow them too.


def test_a_request_saved_on_its_own_moves_its_counts_and_a_bot_flag_set_by_hand_too():
    repository = repo()
    dev = account("dev")
    request_row = pr(repository, dev, WHEN, merged=WHEN + timedelta(days=1))
    commit(repository, dev, WHEN)
    assert february(repository.project)["change_requests_merged"] == 1
    request_row.merged_at = request_row.closed_at = datetime(2026, 3, 2, tzinfo=UTC)
    request_row.save()
    assert february(repository.project)["change_requests_merged"] == 0
    dev.is_bot = True
    dev.save()
    figures = february(repository.project)
    assert (figures["change_requests_opened"], figures["contributors"]) == (0, 0)
    dev.is_bot = False
    dev.save()
    assert february(repository.project)["change_requests_opened"] == 1
    kept = kept_rows()
    call_command("rebuild_daily_aggregates")
    assert kept_rows() == kept and PullRequest.objects.count() == 1 and Commit.objects.count() == 1
