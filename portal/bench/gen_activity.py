"""The synthetic organisation, part two: forge activity (pull requests with their reviews and comments,
issues, commits, releases) over the years, and portal usage events with their daily rollups.

Every big table is written by COPY with its indexes dropped, then indexed again (dbtools). Rollups are
computed by one SQL statement that groups exactly as metrics.rollups.rollup_day does, for every day
before today (today's events stay raw, as between two nightly rollup runs).
"""

import json
import random
from contextlib import ExitStack
from datetime import UTC, datetime, time, timedelta

from psycopg import sql

from portal.bench import dbtools
from portal.bench.gen_catalog import Picker, World

PR_COLUMNS = ["id", "forge_id", "number", "title", "state", "draft", "labels", "additions", "deletions",
              "created_at", "updated_at", "ready_for_review_at", "merged_at", "closed_at", "author_id",
              "merged_by_id", "repository_id"]  # fmt: skip
REVIEW_COLUMNS = ["id", "forge_id", "state", "submitted_at", "author_id", "pull_request_id"]
COMMENT_COLUMNS = ["id", "forge_id", "kind", "created_at", "updated_at", "repository_id", "author_id", "issue_id",
                   "pull_request_id"]  # fmt: skip
ISSUE_COLUMNS = ["id", "forge_id", "number", "title", "state", "labels", "created_at", "updated_at", "closed_at",
                 "author_id", "repository_id"]  # fmt: skip
COMMIT_COLUMNS = [
    "id",
    "sha",
    "author_name",
    "author_email",
    "authored_at",
    "is_merge",
    "repository_id",
    "author_id",
]
EVENT_COLUMNS = ["id", "event_id", "kind", "occurred_at", "visitor", "path", "query", "filters", "result_count",
                 "position", "search_event_id", "consumer", "quantity", "asset_id", "business_unit_id", "project_id",
                 "user_id"]  # fmt: skip
REVIEW_STATES = ["approved", "commented", "changes_requested", "pending"]
EVENT_KINDS = ["page_view", "search", "result_click", "contribute_click", "asset_download", "template_download",
               "use_this", "reported_consumption", "sign_up"]  # fmt: skip
EVENT_WEIGHTS = [618, 200, 100, 20, 30, 10, 10, 10, 2]


def _ts(moment: datetime) -> str:
    return moment.isoformat()


def generate_repositories(conn, world: World, *, seed: int) -> None:
    """One repository for each of the most popular listed projects."""
    rng = random.Random(seed)
    scale, rows = world.scale, []
    for i in range(scale.repositories):
        pid = i + 1
        slug, unit = world.project_slugs[i], world.unit_slugs[world.project_unit[i] - 1]
        weekly = [rng.randrange(0, 30 - min(29, i * 30 // scale.repositories)) for _ in range(52)]
        files = ["README", "LICENSE"] + (["CONTRIBUTING", "CODE_OF_CONDUCT"] if rng.random() < 0.6 else [])
        created = world.now - timedelta(days=rng.randrange(200, 365 * world.scale.activity_years))
        rows.append(
            (pid, "github", f"https://github.bench.example/{unit}/{slug}", f"{unit}/{slug}", "main", "",
             rng.randrange(500), rng.randrange(100), rng.randrange(50), rng.randrange(80), "Apache-2.0", "[]",
             json.dumps(weekly), json.dumps(files), rng.random() < 0.3, _ts(created), _ts(world.now),
             _ts(world.now), _ts(world.now), "", pid, "",
             # Source lines as the sync estimates them from a GitHub tree: the value of reuse's efforts.
             json.dumps({"Java": rng.randrange(2_000, 60_000), "TypeScript": rng.randrange(0, 20_000)}), "bytes")
        )  # fmt: skip
    dbtools.copy_rows(
        conn, "catalog_repository",
        ["id", "forge", "url", "full_name", "default_branch", "description", "stars", "forks", "watchers",
         "open_issues", "license", "topics", "participation", "files_present", "has_good_first_issues",
         "forge_created_at", "forge_updated_at", "forge_pushed_at", "last_synced_at", "last_error", "project_id",
         "webhook_secret", "code_lines", "code_lines_basis"], rows,
    )  # fmt: skip
    dbtools.reset_sequence(conn, "catalog_repository")
    world.counts["repositories"] = len(rows)


def generate_activity(urls: str, world: World, *, seed: int) -> None:
    """Pull requests, reviews, comments, issues, commits and releases over `activity_years`, written
    through one COPY per table at once (one connection each)."""
    rng = random.Random(seed)
    scale, now = world.scale, world.now
    start = now - timedelta(days=365 * scale.activity_years)
    span = (now - start).total_seconds()
    people = scale.users + scale.unlinked_accounts
    bots = list(range(people + 1, people + scale.bots + 1))
    author_pick = Picker(rng, people, 0.7)
    per_repo = [0] * scale.repositories
    for r in Picker(rng, scale.repositories, 0.8).many(scale.pull_requests):
        per_repo[r] += 1
    tables = {
        "metrics_pullrequest": PR_COLUMNS,
        "metrics_review": REVIEW_COLUMNS,
        "metrics_comment": COMMENT_COLUMNS,
        "metrics_issue": ISSUE_COLUMNS,
        "metrics_commit": COMMIT_COLUMNS,
    }
    ids = dict.fromkeys(tables, 0)
    # Indexes go first, all from one connection: a COPY in progress would block the next DROP CONSTRAINT
    # (foreign keys between these tables), and the rebuild waits until every COPY has ended.
    with ExitStack() as outer:
        ddl = outer.enter_context(dbtools.connect(urls))
        dbtools.bulk_session(ddl)
        for table in tables:
            outer.enter_context(dbtools.without_indexes(ddl, table))
        _copy_activity(urls, world, rng, tables, ids, start, span, per_repo, author_pick, bots)
    _releases(urls, world, rng, tables, start, span)
    world.counts.update(
        pull_requests=ids["metrics_pullrequest"], reviews=ids["metrics_review"], comments=ids["metrics_comment"],
        issues=ids["metrics_issue"], commits=ids["metrics_commit"],
    )  # fmt: skip


def _copy_activity(urls, world, rng, tables, ids, start, span, per_repo, author_pick, bots) -> None:
    scale, now = world.scale, world.now
    with ExitStack() as stack:
        copies, buffers, suffixes = {}, {}, {}
        for table, columns in tables.items():
            conn = stack.enter_context(dbtools.connect(urls))
            dbtools.bulk_session(conn)
            cursor = stack.enter_context(conn.cursor())
            extra, suffixes[table] = dbtools.model_defaults(table, columns)
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, [*columns, *extra]))
            )
            copies[table] = stack.enter_context(cursor.copy(statement))
            buffers[table] = []
        line = dbtools.row_line

        def emit(table: str, row: tuple) -> None:
            buffer, suffix = buffers[table], suffixes[table]
            buffer.append(line(row)[:-1] + suffix + "\n" if suffix else line(row))
            if len(buffer) >= 5000:
                copies[table].write("".join(buffer))
                buffer.clear()

        def hours(mean: float) -> timedelta:
            return timedelta(hours=rng.expovariate(1 / mean))

        for r, count in enumerate(per_repo):
            rid = r + 1
            for number in range(1, count + 1):
                ids["metrics_pullrequest"] += 1
                pr = ids["metrics_pullrequest"]
                author = rng.choice(bots) if bots and rng.random() < 0.03 else author_pick.one() + 1
                created = start + timedelta(seconds=rng.random() * span)
                draft = rng.random() < 0.1
                ready = created + hours(6) if draft and rng.random() < 0.8 else None
                roll = rng.random()
                merged = closed = None
                if roll < 0.7:
                    merged = (ready or created) + hours(40)
                    closed = merged
                elif roll < 0.85:
                    closed = created + hours(100)
                if (merged or closed) and (merged or closed) > now:
                    merged = closed = None
                state = "merged" if merged else ("closed" if closed else "open")
                merger = (author if rng.random() < 0.1 else author_pick.one() + 1) if merged else None
                emit("metrics_pullrequest", (
                    pr, 10_000_000 + pr, number, f"Change {number}", state, draft, "[]", rng.randrange(400),
                    rng.randrange(200), _ts(created), _ts(closed or created), _ts(ready) if ready else None,
                    _ts(merged) if merged else None, _ts(closed) if closed else None, author, merger, rid,
                ))  # fmt: skip
                for _ in range(int(scale.reviews_per_pr + rng.random())):
                    ids["metrics_review"] += 1
                    state_r = rng.choices(REVIEW_STATES, (60, 25, 10, 5))[0]
                    at = (ready or created) + hours(20)
                    submitted = None if state_r == "pending" or at > now else _ts(at)
                    emit("metrics_review", (ids["metrics_review"], 20_000_000 + ids["metrics_review"], state_r,
                                            submitted, author_pick.one() + 1, pr))  # fmt: skip
                for _ in range(int(scale.comments_per_pr + rng.random())):
                    ids["metrics_comment"] += 1
                    at = min(now, created + hours(30))
                    emit("metrics_comment", (ids["metrics_comment"], 30_000_000 + ids["metrics_comment"],
                                             rng.choice(("issue", "review")), _ts(at), _ts(at), rid,
                                             author_pick.one() + 1, None, pr))  # fmt: skip
                if rng.random() < scale.commits_per_pr:
                    ids["metrics_commit"] += 1
                    who = author if author <= scale.users else None
                    name = f"user{who:06d}" if who else f"ext-{author}"
                    emit("metrics_commit", (ids["metrics_commit"], f"{rng.getrandbits(160):040x}", name,
                                            f"{name}@bench.example", _ts(created - hours(4)), rng.random() < 0.05,
                                            rid, author))  # fmt: skip
            issues = int(count * scale.issues_per_pr + rng.random())
            for k in range(issues):
                ids["metrics_issue"] += 1
                issue = ids["metrics_issue"]
                created = start + timedelta(seconds=rng.random() * span)
                closed = created + hours(200) if rng.random() < 0.7 else None
                closed = closed if closed and closed <= now else None
                emit("metrics_issue", (issue, 40_000_000 + issue, count + k + 1, f"Issue {k}",
                                       "closed" if closed else "open", "[]", _ts(created), _ts(closed or created),
                                       _ts(closed) if closed else None, author_pick.one() + 1, rid))  # fmt: skip
                if rng.random() < 0.6:
                    ids["metrics_comment"] += 1
                    at = min(now, created + hours(24))
                    emit("metrics_comment", (ids["metrics_comment"], 30_000_000 + ids["metrics_comment"], "issue",
                                             _ts(at), _ts(at), rid, author_pick.one() + 1, issue, None))  # fmt: skip
        for table, buffer in buffers.items():
            if buffer:
                copies[table].write("".join(buffer))


def _releases(urls, world, rng, tables, start, span) -> None:
    scale = world.scale
    releases = []
    for r in range(scale.repositories):
        for k in range(rng.randrange(0, 12)):
            published = start + timedelta(seconds=rng.random() * span)
            releases.append((len(releases) + 1, str(50_000_000 + len(releases)), f"v1.{k}.0", f"1.{k}",
                             False, rng.random() < 0.1, _ts(published), None, r + 1))  # fmt: skip
    with dbtools.connect(urls) as conn:
        dbtools.copy_rows(
            conn, "metrics_release",
            ["id", "forge_id", "tag", "name", "draft", "prerelease", "published_at", "author_id", "repository_id"],
            releases,
        )  # fmt: skip
        for table in (*tables, "metrics_release"):
            dbtools.reset_sequence(conn, table)
    world.counts["releases"] = len(releases)


def generate_usage(conn, world: World, *, seed: int) -> int:
    """`usage_events` events over the last `usage_days` days up to now, as the drain stores them."""
    rng = random.Random(seed)
    scale, now = world.scale, world.now
    first_day = now.date() - timedelta(days=scale.usage_days - 1)
    # Busier on weekdays, growing over the year; the last day only up to `now`.
    weights = []
    for d in range(scale.usage_days):
        day = first_day + timedelta(days=d)
        weight = (1.0 if day.weekday() < 5 else 0.3) * (0.6 + 0.4 * d / scale.usage_days)
        if day == now.date():
            weight *= (now - datetime.combine(day, time.min, tzinfo=UTC)).total_seconds() / 86400
        weights.append(weight)
    total_weight = sum(weights)
    per_day = [int(scale.usage_events * w / total_weight) for w in weights]
    per_day[-2] += scale.usage_events - sum(per_day)
    project_pick = Picker(rng, scale.projects, 1.0)
    asset_pick = Picker(rng, scale.assets, 1.0)
    word_pick = Picker(rng, len(world.vocabulary), 1.05)
    anonymous = [f"v:{rng.getrandbits(128):032x}"[:24] for _ in range(max(10, scale.users))]
    slugs, asset_slugs, asset_project = world.project_slugs, world.asset_slugs, world.asset_project
    recent_searches: list[str] = []
    eid = 0

    def lines():
        nonlocal eid
        for d, n in enumerate(per_day):
            day_start = datetime.combine(first_day + timedelta(days=d), time.min, tzinfo=UTC)
            seconds = (now - day_start).total_seconds() if d == len(per_day) - 1 else 86400
            moments = sorted(rng.random() * seconds for _ in range(n))
            kinds = rng.choices(EVENT_KINDS, EVENT_WEIGHTS, k=n)
            for offset, kind in zip(moments, kinds, strict=True):
                eid += 1
                at = _ts(day_start + timedelta(seconds=offset))
                uid = rng.randrange(scale.users) + 1 if rng.random() < 0.8 else None
                visitor = f"u:{uid}" if uid else rng.choice(anonymous)
                unit = world.user_unit[uid - 1] if uid else None
                event_id = f"{rng.getrandbits(128):032x}"
                path, query, result_count, position, search_id, consumer, quantity = (
                    "",
                    "",
                    None,
                    None,
                    None,
                    "",
                    1,
                )
                project = asset = None
                if kind == "page_view":
                    if rng.random() < 0.5:
                        project = project_pick.one()
                        path = f"/catalog/{slugs[project]}/"
                        project += 1
                    else:
                        path = rng.choice(("/", "/catalog/", "/journey/", "/metrics/", "/badges/"))
                elif kind == "search":
                    query = " ".join(world.vocabulary[w] for w in word_pick.many(rng.choice((1, 1, 2))))
                    result_count = 0 if rng.random() < 0.08 else rng.randrange(1, 200)
                    path = "/catalog/"
                    recent_searches.append(event_id)
                    if len(recent_searches) > 1000:
                        del recent_searches[:500]
                elif kind == "result_click" and recent_searches:
                    search_id = rng.choice(recent_searches[-50:])
                    position = rng.randrange(1, 21)
                    project = project_pick.one() + 1
                elif kind == "contribute_click":
                    project = project_pick.one() + 1
                elif kind in ("asset_download", "use_this", "reported_consumption", "template_download"):
                    a = asset_pick.one()
                    asset, project = a + 1, asset_project[a]
                    path = f"/catalog/{slugs[project - 1]}/assets/{asset_slugs[a]}/"
                    if kind == "reported_consumption":
                        consumer, quantity, visitor, uid, unit = (
                            f"team-{rng.randrange(400)}",
                            rng.randrange(1, 20),
                            "",
                            None,
                            None,
                        )
                yield (
                    f"{eid}\t{event_id}\t{kind}\t{at}\t{visitor}\t{path}\t{query}\t{{}}\t"
                    f"{'\\N' if result_count is None else result_count}\t{'\\N' if position is None else position}\t"
                    f"{search_id or '\\N'}\t{consumer}\t{quantity}\t{asset or '\\N'}\t{unit or '\\N'}\t"
                    f"{project or '\\N'}\t{uid or '\\N'}\n"
                )

    with dbtools.without_indexes(conn, "metrics_usageevent"):
        written = dbtools.copy_lines(conn, "metrics_usageevent", EVENT_COLUMNS, lines())
    dbtools.reset_sequence(conn, "metrics_usageevent")
    world.counts["usage_events"] = written
    return written


def generate_rollups(conn, world: World) -> int:
    """DailyRollup, VisitorDay and search day rows for every day before today, grouped as
    metrics.rollups.rollup_day groups, with the search outcomes counted as metrics.rollups.search_outcomes
    counts them."""
    today = world.now.date()
    with dbtools.without_indexes(conn, "metrics_dailyrollup"):
        conn.execute(
            """INSERT INTO metrics_dailyrollup
                 (day, kind, project_id, asset_id, business_unit_id, events, quantity, visitors,
                  zero_results, with_results, clicked)
               SELECT (e.occurred_at AT TIME ZONE 'UTC')::date, e.kind, e.project_id, e.asset_id,
                      e.business_unit_id, count(e.id), COALESCE(sum(e.quantity), 0),
                      count(DISTINCT NULLIF(e.visitor, '')),
                      count(*) FILTER (WHERE e.kind = 'search' AND e.result_count = 0),
                      count(*) FILTER (WHERE e.kind = 'search' AND e.result_count > 0),
                      count(c.search_event_id) FILTER (WHERE e.kind = 'search' AND e.result_count > 0)
               FROM metrics_usageevent e
               -- the searches with a result click (whenever it came): one hash join, not a probe a search
               LEFT JOIN (SELECT DISTINCT search_event_id FROM metrics_usageevent
                          WHERE kind = 'result_click') c
                 ON e.kind = 'search' AND c.search_event_id = e.event_id
               WHERE e.occurred_at < %s
               GROUP BY 1, 2, 3, 4, 5""",
            (datetime.combine(today, time.min, tzinfo=UTC),),
        )
    with dbtools.without_indexes(conn, "metrics_visitorday"):
        conn.execute(
            """INSERT INTO metrics_visitorday (day, project_id, visitor)
               SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date, project_id,
                      COALESCE(NULLIF(visitor, ''), 'u:' || user_id)
               FROM metrics_usageevent
               WHERE occurred_at < %s AND kind = 'page_view'
                 AND COALESCE(NULLIF(visitor, ''), 'u:' || user_id) IS NOT NULL""",
            (datetime.combine(today, time.min, tzinfo=UTC),),
        )
    # The search days, as metrics.rollups._search_days builds them: by query, and by signed-in person.
    with dbtools.without_indexes(conn, "metrics_searchday"):
        conn.execute(
            """INSERT INTO metrics_searchday (day, query, searches, zero_results, people, zero_people)
               SELECT (occurred_at AT TIME ZONE 'UTC')::date, query, count(*),
                      count(*) FILTER (WHERE result_count = 0),
                      count(DISTINCT visitor) FILTER (WHERE visitor LIKE 'u:%%'),
                      count(DISTINCT visitor) FILTER (WHERE visitor LIKE 'u:%%' AND result_count = 0)
               FROM metrics_usageevent
               WHERE occurred_at < %s AND kind = 'search' AND query <> ''
               GROUP BY 1, 2""",
            (datetime.combine(today, time.min, tzinfo=UTC),),
        )
    with dbtools.without_indexes(conn, "metrics_searchpersonday"):
        conn.execute(
            """INSERT INTO metrics_searchpersonday (day, query, person, zero)
               SELECT (occurred_at AT TIME ZONE 'UTC')::date, query, visitor,
                      COALESCE(bool_or(result_count = 0), false)
               FROM metrics_usageevent
               WHERE occurred_at < %s AND kind = 'search' AND query <> '' AND visitor LIKE 'u:%%'
               GROUP BY 1, 2, 3""",
            (datetime.combine(today, time.min, tzinfo=UTC),),
        )
    world.counts["visitor_days"] = dbtools.count(conn, "metrics_visitorday")
    rows = dbtools.count(conn, "metrics_dailyrollup")
    world.counts["daily_rollups"] = rows
    return rows
