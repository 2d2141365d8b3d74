"""Where a project's activity score stands in the catalog: a level in words and the share of listed
projects it is among ("top 10 %"), so that a reader need not know the formula to judge the number.

The comparison reads the catalog's score percentiles, computed from every listed project's score at most
once per PERCENTILES_SECONDS and kept in the cache: a project page never scans the catalog.
"""

import bisect
import math
from dataclasses import dataclass

from django.core.cache import cache

from catalog.models import Project

PERCENTILES_KEY = "catalog:score-percentiles:v1"
PERCENTILES_SECONDS = 15 * 60
# (least share of listed projects scoring lower, level) from the top down.
LEVELS = [(0.90, "Very active"), (0.75, "Active"), (0.50, "Steady"), (0.25, "Quiet"), (0.0, "Hardly active")]
# The "top N %" bands a reader is told, finest first.
TOP_BANDS = (1, 5, 10, 25, 50)


@dataclass(frozen=True, kw_only=True)
class Standing:
    level: str
    percentile: int  # the share of listed projects scoring lower, 0..100
    # The band of listed projects the score is among ("top 10 %"), None in the lower half.
    top_percent: int | None
    compared_with: int  # how many listed projects the comparison read


def score_percentiles() -> tuple[list[int], int]:
    """The listed projects' scores at each percentile 0..100 (101 values, ascending; [] without any
    project), and how many listed projects they summarise."""
    cached = cache.get(PERCENTILES_KEY)
    if cached is not None:
        return cached
    scores = list(
        Project.objects.listed().order_by("activity_score").values_list("activity_score", flat=True)
    )
    # The nearest-rank percentile: the smallest score that at least p % of the scores do not exceed.
    cuts = [scores[max(0, math.ceil(p * len(scores) / 100) - 1)] for p in range(101)] if scores else []
    cache.set(PERCENTILES_KEY, (cuts, len(scores)), PERCENTILES_SECONDS)
    return cuts, len(scores)


def score_standing(*, score: int) -> Standing | None:
    """The standing of `score` among the listed projects; None when there is nothing to compare with."""
    cuts, count = score_percentiles()
    if count < 2:
        return None
    # The share of the catalog scoring strictly lower (percentile cut points below the score).
    below = bisect.bisect_left(cuts, score) / len(cuts)
    level = next(label for least, label in LEVELS if below >= least)
    above = 1 - below
    top = next((band for band in TOP_BANDS if above <= band / 100), None)
    return Standing(level=level, percentile=round(below * 100), top_percent=top, compared_with=count)
