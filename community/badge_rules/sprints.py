"""Sprint streaks: fixed 14-day windows from Monday 2024-01-01 UTC, so that a streak's key (the date its
first sprint starts) never moves."""

from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import F, Func, IntegerField

from community.badge_rules.common import HUMAN, listed, param, people
from community.badge_rules.qualifiers import Qualifier
from metrics.models import Comment, Commit, Issue, PullRequest, Review

SPRINT_EPOCH = date(2024, 1, 1)  # a Monday: every sprint starts on a Monday
SPRINT_DAYS = 14


def sprint_start(index: int) -> date:
    return SPRINT_EPOCH + timedelta(days=SPRINT_DAYS * index)


class SprintIndex(Func):
    """The sprint a moment falls in: whole 14-day periods since SPRINT_EPOCH (negative before it).

    Computed from the moment's Unix time, exactly (whole seconds suffice: a sprint starts on a whole
    second), so that the database can tell consecutive sprints apart without a row per week."""

    output_field = IntegerField()
    _EPOCH = int(datetime.combine(SPRINT_EPOCH, datetime.min.time(), tzinfo=UTC).timestamp())
    _SECONDS = SPRINT_DAYS * 24 * 3600

    def as_postgresql(self, compiler, connection, **extra_context):
        # DATE_PART's double precision (microseconds are exact at today's epochs), not EXTRACT's numeric,
        # which made the streak query about a quarter slower over five million contributions.
        template = f"FLOOR((DATE_PART('epoch', %(expressions)s) - {self._EPOCH}) / {self._SECONDS})::integer"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps moments as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC and rounds fractions to the
        # millisecond, which would carry 23:59:59.9999 into the next sprint: whole seconds only.
        seconds = "unixepoch(SUBSTR(%(expressions)s, 1, 19))"
        template = f"CAST(FLOOR(({seconds} - {self._EPOCH}) / {self._SECONDS}.0) AS integer)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def streaks(*, user_ids: list[int] | None, now: datetime, length: int) -> list[tuple[int, int, int]]:
    """(user, first sprint, last sprint) of each maximal run of at least `length` consecutive sprints in
    which the person contributed (a commit, request, review, issue or comment in a listed project).

    One query: the active (person, sprint) pairs of every kind of contribution, merged, and numbered per
    person; consecutive sprints share `sprint - row number` ("gaps and islands"), so each island is
    one run, and only the runs long enough come back, not a row per person and sprint."""
    sources = (
        (Commit.objects.filter(is_merge=False), "authored_at"),
        (PullRequest.objects.all(), "created_at"),
        (Review.objects.exclude(state=Review.ReviewState.PENDING), "submitted_at"),
        (Issue.objects.all(), "created_at"),
        (Comment.objects.all(), "created_at"),
    )
    active = []
    for queryset, at in sources:
        path = "pull_request__repository__project" if at == "submitted_at" else "repository__project"
        active.append(
            queryset.filter(people("author__user_id", user_ids), HUMAN, listed(path), **{f"{at}__lte": now})
            .annotate(r_user=F("author__user_id"), r_sprint=SprintIndex(at))
            .values("r_user", "r_sprint")
            .distinct()
            .order_by()
        )
    # UNION (not ALL): a sprint active through several kinds of contribution is one sprint.
    inner, params = active[0].union(*active[1:]).query.sql_with_params()
    sql = (
        "SELECT r_user, MIN(r_sprint), MAX(r_sprint) FROM ("
        " SELECT r_user, r_sprint, r_sprint - ROW_NUMBER() OVER (PARTITION BY r_user ORDER BY r_sprint)"
        f" AS r_island FROM ({inner}) AS active"
        ") AS islands GROUP BY r_user, r_island HAVING COUNT(*) >= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, length])
        return cursor.fetchall()


def sprint_streak(badge, user_ids, now) -> set[Qualifier]:
    """Contributed (commit, request, review, issue or comment) in `count` consecutive sprints.

    Each maximal run of consecutive active sprints is one streak, keyed by the date its first sprint
    starts: a streak that goes on keeps its key (one grant), a new one after a gap gets a new grant.
    One query (see streaks)."""
    length = param(badge, "sprint_streak", "count")
    return {
        Qualifier(
            user_id,
            sprint_start(first).isoformat(),
            {
                "first_sprint": sprint_start(first).isoformat(),
                "last_sprint": sprint_start(last).isoformat(),
                "sprints": last - first + 1,
            },
        )
        for user_id, first, last in streaks(user_ids=user_ids, now=now, length=length)
    }
