"""The dashboards' floor: the figures of a dashboard page computed by raw SQL over the raw tables
(pull requests, reviews, comments, issues, commits, usage events), for the program or one project.

What one computation covers, as the page shows it: the period's report (requests opened / merged /
declined / open, inner-source ratio, contributors and new contributors over all history, absence and
elephant factors, usage counts, visitors, zero-result searches, click-through, repeat consumers, time to
first response, time to merge, issue time to close, review coverage, self-merge rate, releases, the value
of reuse's reusing teams per asset with their projects' code), the previous period's headlines, and the
headlines of each trend bucket.
"""

import time
from datetime import datetime

# The scope: one project, or one business unit's projects, or (both None) the program.
UNIT_PROJECTS = "SELECT u.id FROM catalog_project u WHERE u.business_unit_id = %(unit)s"
SCOPE = """SELECT r.id FROM catalog_repository r JOIN catalog_project p ON p.id = r.project_id
           WHERE p.review_status = 'approved' AND p.merged_into_id IS NULL AND (%(project)s::bigint IS NULL OR p.id = %(project)s)
             AND (%(unit)s::bigint IS NULL OR p.business_unit_id = %(unit)s)"""
EVENTS = f"""(%(project)s::bigint IS NULL OR e.project_id = %(project)s)
  AND (%(unit)s::bigint IS NULL OR e.project_id IN ({UNIT_PROJECTS})) AND e.occurred_at >= %(lo)s AND e.occurred_at < %(hi)s"""
PERSON = "COALESCE('u:' || fa.user_id, 'a:' || fa.id)"

REQUESTS = f"""
SELECT count(*) FILTER (WHERE pr.created_at >= %(lo)s) AS opened,
       count(*) FILTER (WHERE pr.merged_at >= %(lo)s AND pr.merged_at < %(hi)s) AS merged,
       count(*) FILTER (WHERE pr.closed_at >= %(lo)s AND pr.closed_at < %(hi)s AND pr.merged_at IS NULL) AS declined,
       count(*) AS open_during,
       count(*) FILTER (WHERE pr.merged_at >= %(lo)s AND pr.merged_at < %(hi)s AND pp.business_unit_id IS NOT NULL),
       count(*) FILTER (WHERE pr.merged_at >= %(lo)s AND pr.merged_at < %(hi)s
                        AND pp.business_unit_id <> p.business_unit_id)
FROM metrics_pullrequest pr
JOIN catalog_repository r ON r.id = pr.repository_id JOIN catalog_project p ON p.id = r.project_id
LEFT JOIN metrics_forgeaccount fa ON fa.id = pr.author_id
LEFT JOIN community_practitioner pp ON pp.user_id = fa.user_id
WHERE pr.repository_id IN ({SCOPE}) AND (fa.id IS NULL OR NOT fa.is_bot)
  AND pr.created_at < %(hi)s AND (pr.closed_at IS NULL OR pr.closed_at >= %(lo)s)
  AND (pr.merged_at IS NULL OR pr.merged_at >= %(lo)s)"""

CONTRIBUTORS = f"""
WITH repos AS ({SCOPE}), acts AS (
  SELECT author_id AS a, created_at AS t FROM metrics_pullrequest WHERE repository_id IN (SELECT id FROM repos)
  UNION ALL SELECT rv.author_id, rv.submitted_at FROM metrics_review rv
    JOIN metrics_pullrequest pr ON pr.id = rv.pull_request_id
    WHERE pr.repository_id IN (SELECT id FROM repos) AND rv.state <> 'pending'
  UNION ALL SELECT author_id, created_at FROM metrics_issue WHERE repository_id IN (SELECT id FROM repos)
  UNION ALL SELECT author_id, created_at FROM metrics_comment WHERE repository_id IN (SELECT id FROM repos)
  UNION ALL SELECT author_id, authored_at FROM metrics_commit
    WHERE repository_id IN (SELECT id FROM repos) AND NOT is_merge
), people AS (
  SELECT {PERSON} AS who, min(t) AS first_at, bool_or(t >= %(lo)s AND t < %(hi)s) AS active
  FROM acts JOIN metrics_forgeaccount fa ON fa.id = acts.a AND NOT fa.is_bot
  WHERE t < %(hi)s GROUP BY 1
)
SELECT count(*) FILTER (WHERE active), count(*) FILTER (WHERE active AND first_at >= %(lo)s) FROM people"""

PERIOD_CONTRIBUTORS = f"""
WITH repos AS ({SCOPE}), acts AS (
  SELECT author_id AS a FROM metrics_pullrequest
    WHERE repository_id IN (SELECT id FROM repos) AND created_at >= %(lo)s AND created_at < %(hi)s
  UNION ALL SELECT rv.author_id FROM metrics_review rv JOIN metrics_pullrequest pr ON pr.id = rv.pull_request_id
    WHERE pr.repository_id IN (SELECT id FROM repos) AND rv.state <> 'pending'
      AND rv.submitted_at >= %(lo)s AND rv.submitted_at < %(hi)s
  UNION ALL SELECT author_id FROM metrics_issue
    WHERE repository_id IN (SELECT id FROM repos) AND created_at >= %(lo)s AND created_at < %(hi)s
  UNION ALL SELECT author_id FROM metrics_comment
    WHERE repository_id IN (SELECT id FROM repos) AND created_at >= %(lo)s AND created_at < %(hi)s
  UNION ALL SELECT author_id FROM metrics_commit
    WHERE repository_id IN (SELECT id FROM repos) AND NOT is_merge AND authored_at >= %(lo)s AND authored_at < %(hi)s
)
SELECT count(DISTINCT {PERSON}) FROM acts JOIN metrics_forgeaccount fa ON fa.id = acts.a AND NOT fa.is_bot"""

FACTORS = f"""
WITH c AS (
  SELECT {PERSON} AS who, pp.business_unit_id AS unit, count(*) AS n FROM metrics_commit cm
  JOIN metrics_forgeaccount fa ON fa.id = cm.author_id AND NOT fa.is_bot
  LEFT JOIN community_practitioner pp ON pp.user_id = fa.user_id
  WHERE cm.repository_id IN ({SCOPE}) AND NOT cm.is_merge AND cm.authored_at >= %(lo)s AND cm.authored_at < %(hi)s
  GROUP BY 1, 2
), people AS (
  SELECT n, sum(n) OVER (ORDER BY n DESC ROWS UNBOUNDED PRECEDING) AS cum, sum(n) OVER () AS total
  FROM (SELECT who, sum(n) AS n FROM c GROUP BY who) x
), units AS (
  SELECT n, sum(n) OVER (ORDER BY n DESC ROWS UNBOUNDED PRECEDING) AS cum, sum(n) OVER () AS total
  FROM (SELECT unit, sum(n) AS n FROM c WHERE unit IS NOT NULL GROUP BY unit) y
)
SELECT (SELECT count(*) FROM people WHERE cum - n < total / 2.0), (SELECT count(*) FROM units WHERE cum - n < total / 2.0)"""

USAGE = (
    f"""SELECT e.kind, count(*), sum(e.quantity) FROM metrics_usageevent e WHERE {EVENTS} GROUP BY e.kind"""
)

ENGAGEMENT = f"""
SELECT
  (SELECT count(DISTINCT COALESCE(NULLIF(e.visitor, ''), 'u:' || e.user_id)) FROM metrics_usageevent e
    WHERE e.kind = 'page_view' AND {EVENTS}),
  (SELECT count(*) FILTER (WHERE e.result_count = 0) FROM metrics_usageevent e WHERE e.kind = 'search' AND {EVENTS}),
  (SELECT count(*) FILTER (WHERE e.result_count > 0 AND EXISTS (
      SELECT 1 FROM metrics_usageevent c WHERE c.kind = 'result_click' AND c.search_event_id = e.event_id))
   FROM metrics_usageevent e WHERE e.kind = 'search' AND {EVENTS}),
  (SELECT count(*) FILTER (WHERE w >= 2) FROM (
      SELECT COALESCE(NULLIF(e.consumer, ''), NULLIF(e.visitor, ''), 'u:' || e.user_id) AS who,
             count(DISTINCT date_trunc('week', e.occurred_at)) AS w
      FROM metrics_usageevent e
      WHERE e.kind IN ('asset_download', 'template_download', 'use_this', 'reported_consumption') AND {EVENTS}
      GROUP BY 1) x WHERE who IS NOT NULL)"""

FIRST_RESPONSE = f"""
WITH items AS (
  SELECT 'pr' AS kind, pr.id, pr.author_id, COALESCE(pr.ready_for_review_at, pr.created_at) AS asked
  FROM metrics_pullrequest pr LEFT JOIN metrics_forgeaccount fa ON fa.id = pr.author_id
  WHERE pr.repository_id IN ({SCOPE}) AND pr.created_at >= %(lo)s AND pr.created_at < %(hi)s
    AND NOT (pr.draft AND pr.ready_for_review_at IS NULL) AND (fa.id IS NULL OR NOT fa.is_bot)
  UNION ALL
  SELECT 'issue', i.id, i.author_id, i.created_at FROM metrics_issue i LEFT JOIN metrics_forgeaccount fa ON fa.id = i.author_id
  WHERE i.repository_id IN ({SCOPE}) AND i.created_at >= %(lo)s AND i.created_at < %(hi)s AND (fa.id IS NULL OR NOT fa.is_bot)
), firsts AS (
  SELECT items.kind, items.id, items.asked, min(x.t) AS first_at FROM items
  JOIN LATERAL (
    SELECT c.created_at AS t, c.author_id FROM metrics_comment c
      WHERE (items.kind = 'pr' AND c.pull_request_id = items.id) OR (items.kind = 'issue' AND c.issue_id = items.id)
    UNION ALL
    SELECT r.submitted_at, r.author_id FROM metrics_review r
      WHERE items.kind = 'pr' AND r.pull_request_id = items.id AND r.state <> 'pending' AND r.submitted_at IS NOT NULL
  ) x ON true
  JOIN metrics_forgeaccount fa ON fa.id = x.author_id AND NOT fa.is_bot
  WHERE x.author_id IS DISTINCT FROM items.author_id
  GROUP BY 1, 2, 3
)
SELECT (SELECT count(*) FROM items) - count(*), count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_at - asked) / 3600),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_at - asked) / 3600)
FROM firsts"""

MERGED = f"""
WITH merged AS (
  SELECT pr.id, pr.author_id, pr.merged_by_id, extract(epoch FROM pr.merged_at - COALESCE(pr.ready_for_review_at, pr.created_at)) / 3600 AS h,
         EXISTS (SELECT 1 FROM metrics_review r JOIN metrics_forgeaccount ra ON ra.id = r.author_id AND NOT ra.is_bot
                 WHERE r.pull_request_id = pr.id AND r.state = 'approved' AND r.author_id <> pr.author_id) AS approved
  FROM metrics_pullrequest pr LEFT JOIN metrics_forgeaccount fa ON fa.id = pr.author_id
  WHERE pr.repository_id IN ({SCOPE}) AND pr.merged_at >= %(lo)s AND pr.merged_at < %(hi)s AND (fa.id IS NULL OR NOT fa.is_bot)
)
SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY h), percentile_cont(0.9) WITHIN GROUP (ORDER BY h),
       count(*) FILTER (WHERE approved), count(*) FILTER (WHERE NOT approved AND merged_by_id = author_id)
FROM merged"""

ISSUES_RELEASES = f"""
SELECT (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at) / 3600)
        FROM metrics_issue WHERE repository_id IN ({SCOPE}) AND closed_at >= %(lo)s AND closed_at < %(hi)s),
       (SELECT count(*) FROM metrics_release WHERE repository_id IN ({SCOPE}) AND NOT draft
        AND published_at >= %(lo)s AND published_at < %(hi)s),
       (SELECT count(*) FROM catalog_adoption a JOIN catalog_asset s ON s.id = a.asset_id
        WHERE (%(project)s::bigint IS NULL OR s.project_id = %(project)s)
          AND (%(unit)s::bigint IS NULL OR s.project_id IN ({UNIT_PROJECTS})) AND a.created_at >= %(lo)s AND a.created_at < %(hi)s)"""

# The value of reuse (metrics.selectors.value): each reusing team's first adoption of an asset of the scope
# from another unit, then the code lines of the assets' projects and their number of assets (the efforts).
REUSE_VALUE = """
WITH firsts AS (
  SELECT a.asset_id, a.business_unit_id, lower(trim(a.team)) AS team, min(a.since) AS first
  FROM catalog_adoption a JOIN catalog_asset s ON s.id = a.asset_id JOIN catalog_project p ON p.id = s.project_id
  WHERE (%(project)s::bigint IS NULL OR p.id = %(project)s) AND (%(unit)s::bigint IS NULL OR p.business_unit_id = %(unit)s)
    AND a.business_unit_id <> p.business_unit_id
    AND (a.ended_on IS NULL OR a.ended_on > a.since)
  GROUP BY 1, 2, 3 HAVING min(a.since) >= %(lo)s::date AND min(a.since) < %(hi)s::date
)
SELECT f.asset_id, s.project_id, count(*),
       (SELECT count(*) FROM catalog_asset o WHERE o.project_id = s.project_id),
       (SELECT array_agg(r.code_lines) FROM catalog_repository r WHERE r.project_id = s.project_id)
FROM firsts f JOIN catalog_asset s ON s.id = f.asset_id GROUP BY 1, 2"""

MERGED_PER_BUCKET = f"""
SELECT width_bucket(extract(epoch FROM pr.merged_at), extract(epoch FROM %(lo)s::timestamptz),
                    extract(epoch FROM %(hi)s::timestamptz), %(buckets)s) AS b, count(*)
FROM metrics_pullrequest pr WHERE pr.repository_id IN ({SCOPE}) AND pr.merged_at >= %(lo)s AND pr.merged_at < %(hi)s
GROUP BY 1"""


def _ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


def dashboard_raw(
    conn, *, project: int | None, unit: int | None = None, lo: datetime, hi: datetime, buckets: int = 6
) -> dict:
    """Compute the page's figures from the raw tables; returns those the report has too, named by their
    place in it ("category.key", durations "category.key.field"), for the benchmark to compare."""
    args = {"project": project, "unit": unit, "lo": lo, "hi": hi, "buckets": buckets}
    one = {name: conn.execute(sql, args).fetchone() for name, sql in (
        ("requests", REQUESTS), ("contributors", CONTRIBUTORS), ("factors", FACTORS),
        ("engagement", ENGAGEMENT), ("first_response", FIRST_RESPONSE), ("merged", MERGED),
        ("issues_releases", ISSUES_RELEASES),
    )}  # fmt: skip
    usage = {kind: n for kind, n, _quantity in conn.execute(USAGE, args).fetchall()}
    conn.execute(REUSE_VALUE, args).fetchall()
    # The previous period's headlines, then the trend: headlines per bucket.
    span = hi - lo
    edges = [(lo - span, lo)] + [
        (lo + span * k / buckets, lo + span * (k + 1) / buckets) for k in range(buckets)
    ]
    for b_lo, b_hi in edges:
        bucket = {**args, "lo": b_lo, "hi": b_hi}
        conn.execute(PERIOD_CONTRIBUTORS, bucket).fetchone()
        conn.execute(USAGE, bucket).fetchall()
        conn.execute(FIRST_RESPONSE, bucket).fetchone()
    conn.execute(MERGED_PER_BUCKET, args).fetchall()
    opened, merged, declined, open_during, known, other_unit = one["requests"]
    unanswered, answered, response_median, _p90 = one["first_response"]
    n_merged, merge_median, _p90, approved, self_merged = one["merged"]
    return {
        "contribution_activity.change_requests_opened": opened,
        "contribution_activity.change_requests_merged": merged,
        "contribution_activity.change_requests_declined": declined,
        "contribution_activity.change_request_closure_ratio": _ratio(merged + declined, open_during),
        "contribution_activity.contributors": one["contributors"][0],
        "contribution_activity.new_contributors": one["contributors"][1],
        "contribution_activity.innersource_ratio": _ratio(other_unit, known),
        "contribution_activity.contributor_absence_factor": one["factors"][0],
        "contribution_activity.elephant_factor": one["factors"][1],
        "community_engagement.page_views": usage.get("page_view", 0),
        "community_engagement.searches": usage.get("search", 0),
        "community_engagement.active_visitors": one["engagement"][0],
        "community_engagement.zero_result_searches": one["engagement"][1],
        "time_to_value.time_to_first_response.count": answered,
        "time_to_value.time_to_first_response.unanswered": unanswered,
        "time_to_value.time_to_first_response.median_hours": response_median,
        "time_to_value.time_to_merge.count": n_merged,
        "time_to_value.time_to_merge.median_hours": merge_median,
        "time_to_value.review_coverage": _ratio(approved, n_merged),
        "time_to_value.self_merge_rate": _ratio(self_merged, n_merged),
        "time_to_value.issue_time_to_close.median_hours": one["issues_releases"][0],
    }


def report_differences(report: dict, floor: dict) -> dict:
    """The floor's figures that the report (the API's JSON) does not equal: {name: [report, floor]}.
    Counts must be equal; fractions and hours as far as the report rounds them (4 and 2 decimals)."""
    differing = {}
    for name, expected in floor.items():
        value = report
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(expected, int) or expected is None or value is None:
            same = value == expected
        else:
            same = abs(float(value) - float(expected)) <= (0.006 if name.endswith("_hours") else 0.00006)
        if not same:
            differing[name] = [value, expected]
    return differing


def dashboard_floor(
    url: str, *, project: int | None, unit: int | None = None, today=None, repeats: int, days: int = 90,
    lo: datetime | None = None, hi: datetime | None = None,
) -> dict:  # fmt: skip
    """The raw computation timed `repeats` times, over [lo, hi) or else the `days` ending `today`."""
    from portal.bench import dbtools
    from portal.bench.floors import period

    if lo is None or hi is None:
        lo, hi = period(today, days)
    samples, figures = [], {}
    with dbtools.connect(url) as conn:
        for _ in range(repeats):
            started = time.perf_counter()
            figures = dashboard_raw(
                conn, project=project, unit=unit, lo=lo, hi=hi, buckets=12 if (hi - lo).days > 180 else 6
            )
            samples.append((time.perf_counter() - started) * 1000)
    return {"samples_ms": samples, "figures": figures, "period_days": (hi - lo).days, "lo": lo, "hi": hi}
