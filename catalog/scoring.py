"""The InnerSource Commons repository activity score.

This reproduces, number for number, the JavaScript ``calculateScore(repo)`` published in the
InnerSource Commons pattern "Repository Activity Score" (InnerSourceCommons/InnerSourcePatterns,
``patterns/2-structured/repository-activity-score.md``, as PR #704 fixed its two multipliers), which
SAP's project-portal-for-innersource points its crawlers to. The tests run that function text under node
(tests/fixtures/activity-score/) and compare every result with this port. Portals that already show this
score must be
able to move here without their project order changing, so JavaScript semantics are kept on purpose:
number arithmetic in the same order, ``Math.round``, ``Math.min``/``Math.max`` with NaN, truthiness,
``String.length`` in UTF-16 code units and ``new Date(...)`` parsing. The widely copied Python port is
not followed: it adds a boolean instead of the subscriber count, rounds half to even and fails on
missing fields.

The input is a mapping in GitHub's repository shape with an optional ``_InnerSourceMetadata``
(``participation``: weekly commit counts oldest first, ``guidelines``, ``motivation``). Unlike the
JavaScript, the mapping is never modified.
"""

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

__all__ = ["activity_score", "activity_score_explained", "repository_mapping"]

_MISSING: Any = object()
_NAN = float("nan")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The largest time value a Date can hold (ECMA-262 TimeClip), in milliseconds either side of 1970.
_MAX_DATE_MS = 8.64e15

# ECMAScript's Date Time String Format (ECMA-262 §21.4.1.32), with the leniency node's V8 adds to it
# (a space or lower-case t/z, days 29 to 31 in any month rolling over). Other strings reach V8's
# legacy guessing, which no other engine shares, so they are refused.
_JS_DATE = re.compile(
    r"""
    (?P<year>[+-]\d{6}|\d{4})
    (?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?
    (?:[Tt\ ](?P<hour>\d{2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?
        (?P<offset>[Zz]|[+-]\d{2}:\d{2})?
    )?
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Computation:
    score: int
    breakdown: list[dict[str, str]]


def activity_score(repo: Mapping[str, Any], *, now: datetime) -> int:
    """The repository activity score of ``repo`` as the published JavaScript computes it at ``now``.

    Raises ``ValueError`` where the JavaScript would return NaN (a missing count or date, an
    unparseable date) or throw (an empty ``participation`` list), and ``TypeError`` for counts that
    are not numbers, since JavaScript would concatenate strings there.
    """
    return _compute(repo, now).score


def activity_score_explained(repo: Mapping[str, Any], *, now: datetime) -> tuple[int, list[dict[str, str]]]:
    """The same score as :func:`activity_score`, with a readable breakdown for a project page."""
    result = _compute(repo, now)
    return result.score, result.breakdown


def repository_mapping(
    *,
    stars: int,
    forks: int,
    watchers: int,
    open_issues: int,
    created_at: datetime | None,
    updated_at: datetime | None,
    description: str | None,
    participation: Sequence[int] | None,
    has_guidelines: bool,
    motivation: str | None = None,
) -> dict[str, Any]:
    """A GitHub-shaped repository mapping, ready for :func:`activity_score`, from stored statistics.

    ``watchers`` means people subscribed to the repository (GitHub's ``subscribers_count``, which
    is what the score counts); GitHub's ``watchers_count`` is a legacy mirror of the stars.
    """
    metadata: dict[str, Any] = {}
    # An empty list means "not synced yet" here, but the JavaScript would throw on it
    # (reduce of an empty array), so it is left out like absent statistics.
    if participation:
        metadata["participation"] = list(participation)
    if has_guidelines:
        # SAP's crawlers store the file name; any non-empty string is truthy in the score.
        metadata["guidelines"] = "CONTRIBUTING.md"
    if motivation:
        metadata["motivation"] = motivation
    return {
        "stargazers_count": stars,
        "watchers_count": stars,
        "subscribers_count": watchers,
        "forks_count": forks,
        "open_issues_count": open_issues,
        "created_at": _iso_z(created_at),
        "updated_at": _iso_z(updated_at),
        "description": description,
        "_InnerSourceMetadata": metadata,
    }


def _compute(repo: Mapping[str, Any], now: datetime) -> _Computation:
    now_ms = _datetime_ms(now, "now")
    breakdown: list[dict[str, str]] = []

    def explain(label: str, value: str) -> None:
        breakdown.append({"label": label, "value": value})

    forks = _js_number(repo, "forks_count")
    # `subscribers_count ? subscribers_count : 0`: absent, null and NaN all count as no watchers.
    subscribers = _js_number(repo, "subscribers_count") if _js_truthy(repo.get("subscribers_count")) else 0.0
    stars = _js_number(repo, "stargazers_count")
    issues = _js_number(repo, "open_issues_count")

    # Accumulated in the JavaScript's order: floating-point addition is not associative.
    score = 50.0
    score += forks * 5
    score += subscribers
    score += stars / 3
    score += issues / 5
    explain(
        "Base activity",
        f"50 + {_n(forks)} forks × 5 + {_n(subscribers)} watchers + {_n(stars)} stars ÷ 3"
        f" + {_n(issues)} open issues ÷ 5 = {_n(score)}",
    )

    days_since_update = _days_between(now_ms, _js_date_ms(repo, "updated_at"))
    # `(1 + (100 - Math.min(iDaysSinceLastUpdate, 100)) / 100)`: from 2 (updated now) down to 1 (100 days
    # or more). The bracketing (1 + (100 − days)) / 100, 0.01 to 1.01, is the misreading PR #704 fixed and
    # the widely copied Python port still has.
    recency = 1 + (100 - _js_min(days_since_update, 100)) / 100
    score = score * recency
    explain(
        "Recency multiplier",
        f"updated {_n(days_since_update)} days ago: × {_n(recency, 4)} (2 today, 1 after 100 days)",
    )

    metadata = repo.get("_InnerSourceMetadata")
    if not isinstance(metadata, Mapping):
        # `repo._InnerSourceMetadata || {}`; a truthy non-object has no properties to read either.
        metadata = {}
    participation = metadata.get("participation")
    if _js_truthy(participation):
        weeks = _last_13_weeks(participation)
        average = _js_reduce_sum(weeks) / 13
        # `(1 + (Math.min(Math.max(avg - 3, 0), 7)) / 7)`: from 1 (3 commits a week or fewer) to 2 (10+).
        factor = 1 + _js_min(_js_max(average - 3, 0), 7) / 7
        score = score * factor
        explain(
            "Commit participation multiplier",
            f"{_n(average)} commits a week on average over the last 13 weeks: × {_n(factor, 4)}"
            " (1 at 3 or fewer, 2 at 10 or more)",
        )
    else:
        explain("Commit participation multiplier", "no weekly commit statistics: not applied")

    boost = 1000 - _js_min(days_since_update, 365) * 2.74
    days_since_creation = _days_between(now_ms, _js_date_ms(repo, "created_at"))
    boost *= (365 - _js_min(days_since_creation, 365)) / 365
    score += boost
    explain(
        "New-project boost",
        f"+ {_n(boost)} (up to 1000, falling with the {_n(days_since_update)} days since the last update,"
        f" scaled down by the {_n(days_since_creation)} days since creation; none after a year)",
    )

    description_long = _js_length(repo.get("description")) > 30
    motivation_long = _js_length(metadata.get("motivation")) > 30
    if description_long or motivation_long:
        score += 50
        source = "description" if description_long else "motivation"
        explain("Description bonus", f"+ 50 (the {source} is longer than 30 characters)")
    else:
        explain("Description bonus", "+ 0 (no description or motivation longer than 30 characters)")

    if _js_truthy(metadata.get("guidelines")):
        score += 100
        explain("Guidelines bonus", "+ 100 (contribution guidelines are present)")
    else:
        explain("Guidelines bonus", "+ 0 (no contribution guidelines)")

    if score > 3000:
        damped = 3000 + math.log(score) * 100
        explain("Log damping", f"{_n(score)} is above 3000: 3000 + ln({_n(score)}) × 100 = {_n(damped)}")
        score = damped
    else:
        explain("Log damping", f"{_n(score)} is not above 3000: not applied")

    if not math.isfinite(score):
        raise ValueError(
            f"the activity score is not a finite number ({score}); check the repository's counts"
        )
    final = _js_round(score - 50)
    explain("Score", f"round({_n(score)} − 50) = {final}")
    return _Computation(score=final, breakdown=breakdown)


def _js_truthy(value: Any) -> bool:
    # JavaScript's empty arrays and objects are truthy, unlike Python's empty containers.
    if value is None or value is _MISSING or value is False:
        return False
    if isinstance(value, int | float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def _js_number(repo: Mapping[str, Any], key: str) -> float:
    value = repo.get(key, _MISSING)
    if value is _MISSING:
        # `undefined * 5` is NaN, and NaN reaches the final score through every later step.
        raise ValueError(f"{key} is missing: the JavaScript score would be NaN")
    if value is None:
        return 0.0  # `null` converts to 0 in arithmetic
    if isinstance(value, bool | int | float):
        return float(value)
    raise TypeError(f"{key} must be a number, not {type(value).__name__}")


def _js_min(a: float, b: float) -> float:
    # Python's min() returns whichever operand comes first when NaN is involved; Math.min returns NaN.
    if math.isnan(a) or math.isnan(b):
        return _NAN
    return a if a < b else b


def _js_max(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return _NAN
    return a if a > b else b


def _js_round(value: float) -> int:
    # Math.round sends halves towards +∞ (-49.5 → -49), where Python's round() goes to even. Adding
    # 0.5 before flooring would also be wrong: 0.49999999999999994 + 0.5 is exactly 1.0 in binary.
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def _js_length(value: Any) -> float:
    """``value?.length`` compared with ``> 30``: NaN (never greater) when there is no length."""
    if isinstance(value, str):
        # String.length counts UTF-16 code units, so an emoji outside the BMP counts twice.
        return len(value.encode("utf-16-le")) // 2
    if isinstance(value, list | tuple):
        return len(value)
    return _NAN


def _last_13_weeks(participation: Any) -> list[Any]:
    if isinstance(participation, str) or not isinstance(participation, Sequence):
        raise TypeError("_InnerSourceMetadata.participation must be a list of weekly commit counts")
    # slice(-13) keeps the whole list when it is shorter; the average still divides by 13 below.
    return list(participation[-13:])


def _js_reduce_sum(weeks: list[Any]) -> float:
    if not weeks:
        raise ValueError(
            "_InnerSourceMetadata.participation is empty: the JavaScript's reduce() without an initial"
            " value throws on it; leave the key out when there are no statistics"
        )
    values: list[float] = []
    for week in weeks:
        if week is None:
            values.append(0.0)
        elif isinstance(week, bool | int | float):
            values.append(float(week))
        else:
            raise TypeError(f"weekly commit counts must be numbers, not {type(week).__name__}")
    total = values[0]
    for value in values[1:]:
        total = total + value
    return total


def _days_between(later_ms: float, earlier_ms: float) -> float:
    # Divided in the JavaScript's two steps, for the same rounding.
    return (later_ms - earlier_ms) / 1000 / 86400


def _datetime_ms(value: datetime, what: str) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    # A Date holds whole milliseconds; floor so times before 1970 truncate the same way.
    return (value - _EPOCH) // timedelta(milliseconds=1)


def _js_date_ms(repo: Mapping[str, Any], key: str) -> float:
    """``new Date(repo[key]).getTime()``."""
    value = repo.get(key, _MISSING)
    if value is _MISSING:
        raise ValueError(f"{key} is missing: new Date(undefined) is an invalid date and the score NaN")
    if value is None:
        return 0.0  # new Date(null) is the epoch, which makes the repository look 50+ years idle
    if isinstance(value, datetime):
        return float(_datetime_ms(value, key))
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) > _MAX_DATE_MS:
            _invalid_date(key, value)
        return float(math.trunc(value))
    if isinstance(value, str):
        return float(_parse_js_date_string(value, key))
    raise TypeError(f"{key} must be an ISO 8601 string or a datetime, not {type(value).__name__}")


def _invalid_date(key: str, value: Any) -> NoReturn:
    raise ValueError(f"{key} is not a valid date ({value!r}): the JavaScript score would be NaN")


def _parse_js_date_string(text: str, key: str) -> int:
    match = _JS_DATE.fullmatch(text)
    if not match:
        _invalid_date(key, text)
    parts = match.groupdict()
    year = int(parts["year"])
    if parts["year"] == "-000000" or not -271821 <= year <= 275760:
        _invalid_date(key, text)
    month = int(parts["month"] or 1)
    day = int(parts["day"] or 1)
    hour = int(parts["hour"] or 0)
    minute = int(parts["minute"] or 0)
    second = int(parts["second"] or 0)
    # Digits past the third are ignored rather than rounded, as V8 does.
    millisecond = int((parts["fraction"] or "0")[:3].ljust(3, "0"))
    # V8 checks the day against 31 only and lets "2021-02-30" roll over into March.
    if not (1 <= month <= 12 and 1 <= day <= 31):
        _invalid_date(key, text)
    if hour == 24 and (minute, second, millisecond) == (0, 0, 0):
        pass  # "T24:00" is allowed and means the next midnight
    elif not (hour <= 23 and minute <= 59 and second <= 59):
        _invalid_date(key, text)
    offset_ms = 0
    offset = parts["offset"]
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        off_hours, off_minutes = int(offset[1:3]), int(offset[4:6])
        if off_hours > 23 or off_minutes > 59:
            _invalid_date(key, text)
        offset_ms = sign * (off_hours * 60 + off_minutes) * 60_000
    # A date-time without an offset is local time in JavaScript; a server has no meaningful local
    # zone here, so it is read as UTC, which is what node gives with TZ=UTC.
    days = _days_from_civil(year, month, day)
    ms = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond - offset_ms
    if abs(ms) > _MAX_DATE_MS:
        _invalid_date(key, text)
    return ms


def _days_from_civil(year: int, month: int, day: int) -> int:
    # Proleptic Gregorian days since 1970-01-01, valid for the whole JavaScript year range, which
    # Python's date type (years 1 to 9999) does not cover.
    y = year - (1 if month <= 2 else 0)
    era = y // 400  # floor division already rounds negative years down to their era
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _iso_z(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("repository dates must be timezone-aware")
    utc = value.astimezone(UTC).replace(tzinfo=None)
    # GitHub sends whole seconds; a Date keeps milliseconds, so sub-second times keep those to score alike.
    timespec = "milliseconds" if utc.microsecond // 1000 else "seconds"
    return utc.isoformat(timespec=timespec) + "Z"


def _n(value: float, digits: int = 1) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.{digits}f}"
