"""The floors, measured in the same run on the same tables: the searches as hand-written SQL, the
dashboard figures computed by raw SQL over the raw tables, and bulk loading of events with COPY.

Hand-written searches do the work a search page needs: the page of results with its total and the
languages shown on each card, and every facet's counts (each with the other filters applied), for a
typo also the vocabulary lookup. Raw dashboards compute the report's figures for the period straight
from pull requests, reviews, comments, issues, commits and usage events, plus the previous period's
headlines and the trend buckets the page shows.
"""

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from django.utils.text import slugify

from portal.bench import dbtools

KIND_FILTER = "e.kind = ANY(%(kinds)s)"
LANGUAGE_FILTER = (
    "EXISTS (SELECT 1 FROM catalog_searchentry_languages sl JOIN catalog_language l ON l.id = sl.language_id"
    " WHERE sl.searchentry_id = e.id AND l.name = ANY(%(languages)s))"
)
WANTS_FILTER = "e.wants_contributions"


@dataclass
class SearchCase:
    """One search of the mix: the query string as the page gets it, and the same search for SQL."""

    name: str
    q: str = ""
    kinds: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    wants: bool = False
    page: int = 1
    typo: bool = False

    def params(self) -> dict:
        params: dict = {"q": self.q}
        if self.kinds:
            params["kind"] = self.kinds
        if self.languages:
            params["language"] = self.languages
        if self.wants:
            params["wants_contributions"] = "1"
        if self.page > 1:
            params["page"] = str(self.page)
        return params


def tsquery(q: str) -> str:
    words = [w for w in (re.sub(r"\W", "", t.lower()) for t in re.findall(r"[\w+#]+", q)[:10]) if w]
    return " & ".join(f"{w}:*" for w in words)


def _filters(case: SearchCase, skip: str = "") -> str:
    parts = []
    if case.kinds and skip != "kind":
        parts.append(KIND_FILTER)
    if case.languages and skip != "language":
        parts.append(LANGUAGE_FILTER)
    if case.wants and skip != "wants":
        parts.append(WANTS_FILTER)
    return "".join(f" AND {p}" for p in parts)


def search_sql(conn, case: SearchCase, *, page_size: int = 20) -> int:
    """Run the search by hand; returns the total number of matches."""
    q = case.q
    if case.typo:
        found = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM catalog_searchentry WHERE search_vector @@ to_tsquery('english', %s))",
            (tsquery(q),),
        ).fetchone()[0]
        if not found:
            row = conn.execute(
                "SELECT word FROM catalog_searchterm WHERE word %% %(w)s"
                " ORDER BY similarity(word, %(w)s) DESC, word LIMIT 1",
                {"w": q.lower()},
            ).fetchone()
            q = row[0] if row else q
    args = {
        "tsq": tsquery(q), "q": q, "slug": slugify(q), "prefix": q.replace("%", "") + "%",
        "kinds": case.kinds, "languages": case.languages,
        "limit": page_size, "offset": (case.page - 1) * page_size,
    }  # fmt: skip
    rows = conn.execute(
        f"""SELECT e.id, e.name, e.slug, e.path, e.summary, e.kind, e.activity_score, e.adoption_count,
                   e.wants_contributions, bu.name, p.slug, count(*) OVER () AS total
            FROM catalog_searchentry e
            JOIN catalog_businessunit bu ON bu.id = e.business_unit_id
            JOIN catalog_project p ON p.id = e.project_id,
                 to_tsquery('english', %(tsq)s) query
            WHERE e.search_vector @@ query {_filters(case)}
            ORDER BY CASE WHEN upper(e.name) = upper(%(q)s) OR e.slug = %(slug)s THEN 2
                          WHEN e.name ILIKE %(prefix)s THEN 1 ELSE 0 END DESC,
                     ts_rank(e.search_vector, query) DESC, e.featured DESC, e.activity_score DESC, e.id
            LIMIT %(limit)s OFFSET %(offset)s""",
        args,
    ).fetchall()
    total = rows[0][-1] if rows else 0
    if rows:
        conn.execute(
            "SELECT sl.searchentry_id, l.name FROM catalog_searchentry_languages sl"
            " JOIN catalog_language l ON l.id = sl.language_id WHERE sl.searchentry_id = ANY(%s)",
            ([r[0] for r in rows],),
        ).fetchall()
    else:
        total = conn.execute(
            f"SELECT count(*) FROM catalog_searchentry e WHERE e.search_vector @@ to_tsquery('english', %(tsq)s)"
            f" {_filters(case)}",
            args,
        ).fetchone()[0]
    matched = "FROM catalog_searchentry e WHERE e.search_vector @@ to_tsquery('english', %(tsq)s)"
    conn.execute(
        f"""SELECT 'kind', e.kind, count(*) {matched} {_filters(case, "kind")} GROUP BY e.kind
            UNION ALL SELECT 'unit', e.business_unit_id::text, count(*) {matched} {_filters(case)}
              GROUP BY e.business_unit_id
            UNION ALL SELECT 'lifecycle', e.lifecycle, count(*) {matched} {_filters(case)} GROUP BY e.lifecycle
            UNION ALL SELECT 'wants', '1', count(*) {matched} {_filters(case, "wants")} AND e.wants_contributions""",
        args,
    ).fetchall()
    for table, column, other in (
        ("catalog_searchentry_languages", "language_id", "catalog_language"),
        ("catalog_searchentry_topics", "topic_id", "catalog_topic"),
    ):
        skip = "language" if column == "language_id" else ""
        conn.execute(
            f"""SELECT o.name, count(DISTINCT x.searchentry_id) AS n
                FROM {table} x JOIN {other} o ON o.id = x.{column}
                WHERE x.searchentry_id IN (SELECT e.id {matched} {_filters(case, skip)})
                GROUP BY o.name ORDER BY n DESC, o.name LIMIT 15""",
            args,
        ).fetchall()
    return total


def _timed(function, repeats: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def search_floors(url: str, cases: list[SearchCase], repeats: int) -> dict[str, list[float]]:
    with dbtools.connect(url) as conn:
        return {case.name: _timed(lambda case=case: search_sql(conn, case), repeats) for case in cases}


def copy_floor(url: str, events: int) -> dict:
    """COPY `events` usage events into metrics_usageevent itself (its size, its indexes, its foreign keys)
    and commit: the drain's floor, writing what the drain writes where it writes it. The events are the
    drain measurement's mix (portal.bench.worker._sample_events: signed-in people's project page views and
    searches, with their user, unit and project, ids minted as the portal mints them), pre-formatted, so
    the floor is the database's own cost of storing them durably and nothing else."""
    from metrics.usage import new_event_id
    from portal.bench.gen_activity import EVENT_COLUMNS

    now = datetime.now(UTC)
    with dbtools.connect(url) as conn:
        people = conn.execute(
            "SELECT u.id, p.business_unit_id FROM auth_user u"
            " LEFT JOIN community_practitioner p ON p.user_id = u.id ORDER BY u.id LIMIT 200"
        ).fetchall()
        projects = conn.execute("SELECT id, slug FROM catalog_project ORDER BY id LIMIT 200").fetchall()
        first = conn.execute("SELECT COALESCE(max(id), 0) + 1 FROM metrics_usageevent").fetchone()[0]
        lines = []
        for i in range(events):
            (user, unit), (project, slug) = people[i % len(people)], projects[i % len(projects)]
            unit = "\\N" if unit is None else unit
            at = (now - timedelta(microseconds=i)).isoformat()
            if i % 5 == 4:
                kind, path, query, count, project = "search", "/catalog/", "bench words", i % 40, "\\N"
            else:
                kind, path, query, count = "page_view", f"/catalog/{slug}/", "", "\\N"
            lines.append(
                f"{first + i}\t{new_event_id()}\t{kind}\t{at}\tu:{user}\t{path}\t{query}\t{{}}\t{count}\t\\N\t"
                f"\\N\t\t1\t\\N\t{unit}\t{project}\t{user}\n"
            )
        conn.autocommit = False
        started = time.perf_counter()
        written = dbtools.copy_lines(conn, "metrics_usageevent", EVENT_COLUMNS, lines)
        conn.commit()
        elapsed = time.perf_counter() - started
        # Moving the id sequence past the rows written here keeps later inserts from colliding with them.
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('metrics_usageevent', 'id'), %s)", (first + events,)
        )
        conn.commit()
    return {"events": written, "seconds": elapsed, "events_per_second": written / elapsed if elapsed else 0.0}


def period(today: date, days: int = 90) -> tuple[datetime, datetime]:
    end = datetime.combine(today, dtime.min, tzinfo=UTC)
    return end - timedelta(days=days), end
