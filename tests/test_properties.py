"""Property-based tests (hypothesis): the importers, the activity score and the metric computations hold
their promises for any input, not only for the examples the other tests picked."""

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from django.db import transaction
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from catalog.interop import ImportFormatError, catalog_import, parse_files
from catalog.interop.export import export_json
from catalog.interop.innersource import parse_innersource
from catalog.models import Lifecycle
from catalog.scoring import activity_score, repository_mapping
from metrics.computations import (
    absence_factor,
    business_hours_between,
    duration_summary,
    elapsed_hours,
    percentile,
    ratio,
    within_business_days,
)

FAST = settings(max_examples=200, deadline=None)
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOW = datetime(2025, 6, 2, 12, tzinfo=UTC)

# --- the importers ------------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=30,
)
# Objects that look like entries: the real keys, with values of any shape.
SAP_KEYS = ["name", "full_name", "html_url", "owner", "description", "license", "topics", "language",
            "stargazers_count", "forks_count", "subscribers_count", "open_issues_count", "created_at",
            "updated_at", "pushed_at", "default_branch", "_InnerSourceMetadata"]  # fmt: skip
INNERSOURCE_KEYS = ["title", "name", "slug", "description", "motivation", "contributions", "skills", "docs",
                    "logo", "language", "languages", "topics", "guidelines", "repository", "repositories",
                    "lifecycle", "license", "business_unit", "business_unit_name", "communication"]  # fmt: skip
BACKSTAGE_KEYS = ["apiVersion", "kind", "metadata", "spec"]
plausible_values = json_values | st.sampled_from(
    ["https://github.com/acme/widgets", "acme/widgets", "2024-01-01T00:00:00Z", "Component", "Group",
     "backstage.io/v1alpha1", "active", "production", "group:default/team-a", {"login": "acme"}, {"name": "x"}]
)  # fmt: skip


def entry_like(keys):
    return st.dictionaries(st.sampled_from(keys), plausible_values, max_size=len(keys))


def parse(format: str, data) -> list:
    """The importers' contract: entries, or ImportFormatError with a message; nothing else escapes."""
    try:
        entries = parse_files(format=format, files=[("input", data)])
    except ImportFormatError as error:
        assert str(error).strip()
        return []
    assert isinstance(entries, list)
    return entries


@FAST
@given(document=json_values | st.lists(entry_like(SAP_KEYS), max_size=4))
def test_the_sap_reader_accepts_or_refuses_any_json_with_its_own_error(document):
    parse("sap", json.dumps(document))


@FAST
@given(
    document=json_values | entry_like(INNERSOURCE_KEYS) | st.lists(entry_like(INNERSOURCE_KEYS), max_size=4)
)
def test_the_innersource_reader_accepts_or_refuses_any_json_with_its_own_error(document):
    parse("innersource", json.dumps(document))


@FAST
@given(
    documents=st.lists(
        json_values
        | entry_like(BACKSTAGE_KEYS).map(lambda d: {**d, "metadata": d.get("metadata") or {"name": "x"}}),
        max_size=3,
    )
)
def test_the_backstage_reader_accepts_or_refuses_any_yaml_with_its_own_error(documents):
    parse("backstage", yaml.safe_dump_all(documents, allow_unicode=True))


@FAST
@given(
    data=st.binary(max_size=300) | st.text(max_size=300),
    format=st.sampled_from(["sap", "innersource", "backstage"]),
)
@example(data=b"\xef\xbb\xbf[]", format="sap")
@example(data="a: [1, 2", format="backstage")
@example(data="[" * 5000, format="innersource")
def test_any_bytes_are_either_read_or_refused_with_the_importers_error(data, format):
    parse(format, data)


word = st.from_regex(r"[a-z][a-z0-9]{0,15}", fullmatch=True)
line = (
    st.text(
        st.characters(codec="utf-8", categories=["L", "N", "Zs"], exclude_characters="\u3000\u00a0"),
        min_size=1,
        max_size=80,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
valid_entry = st.fixed_dictionaries(
    {
        "title": line,
        "slug": st.from_regex(r"[a-z][a-z0-9]{2,20}", fullmatch=True),
        "description": line,
        "motivation": line,
        "topics": st.lists(word, max_size=4, unique=True),
        "languages": st.lists(word, max_size=3, unique=True),
        "skills": st.lists(word, max_size=3, unique=True),
        "lifecycle": st.sampled_from(Lifecycle.values),
        "license": st.sampled_from(["MIT", "Apache-2.0", ""]),
        "docs": st.sampled_from(["", "https://docs.acme.example/widgets"]),
        "business_unit": st.sampled_from(["platform", "finance-it"]),
        "repository": st.builds(lambda owner, name: f"https://github.com/{owner}/{name}", word, word),
    }
)

ROUND_TRIP_FIELDS = ("name", "description", "motivation", "lifecycle", "license", "docs_url", "skills_wanted")


def comparable(entry) -> dict:
    fields = {name: entry.fields.get(name) for name in ROUND_TRIP_FIELDS}
    for name in ("topics", "languages"):
        fields[name] = sorted(value.casefold() for value in entry.fields.get(name, []))
    return {
        **fields,
        "key": entry.key,
        "slug": entry.slug,
        "business_unit": entry.business_unit.slug if entry.business_unit else None,
        "repositories": [repository.url for repository in entry.repositories],
    }


@pytest.mark.django_db
@SLOW
@given(
    items=st.lists(
        valid_entry, min_size=1, max_size=3, unique_by=(lambda e: e["slug"], lambda e: e["repository"])
    )
)
def test_valid_entries_round_trip_through_import_and_export(items):
    entries = parse_innersource([("innersource.json", json.dumps(items))])
    with transaction.atomic():
        report = catalog_import(entries=entries, now=NOW)
        assert report.counts()["created"] == len(items)
        again = parse_innersource([("export.json", export_json())])
        transaction.set_rollback(True)
    by_key = {entry.key: comparable(entry) for entry in again}
    assert by_key == {entry.key: comparable(entry) for entry in entries}


# --- the activity score -------------------------------------------------------------------------------

dates = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2025, 6, 1), timezones=st.just(UTC))
counts = st.integers(min_value=0, max_value=10**6)
weeks = st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=60)


@st.composite
def repositories(draw) -> dict:
    created = draw(dates)
    return repository_mapping(
        stars=draw(counts), forks=draw(counts), watchers=draw(counts), open_issues=draw(counts),
        created_at=created, updated_at=draw(st.datetimes(min_value=created.replace(tzinfo=None),
                                                        max_value=datetime(2025, 6, 2), timezones=st.just(UTC))),
        description=draw(st.none() | st.text(max_size=60)), participation=draw(st.none() | weeks),
        has_guidelines=draw(st.booleans()), motivation=draw(st.none() | st.text(max_size=60)),
    )  # fmt: skip


ANY_KEYS = ["stargazers_count", "watchers_count", "subscribers_count", "forks_count", "open_issues_count",
            "created_at", "updated_at", "description", "_InnerSourceMetadata"]  # fmt: skip
odd_values = (
    json_values
    | st.floats()
    | dates
    | st.sampled_from(["2024-02-30T00:00:00Z", "2024-01-01", "+275760-09-13T00:00:00Z", "yesterday", ""])
    | st.fixed_dictionaries(
        {},
        optional={
            "participation": json_values | weeks | st.just([]),
            "guidelines": json_values,
            "motivation": json_values,
        },
    )  # fmt: skip
)


@FAST
@given(repo=st.dictionaries(st.sampled_from(ANY_KEYS), odd_values, max_size=len(ANY_KEYS)), now=dates)
def test_the_score_of_any_mapping_is_an_integer_or_a_clear_value_or_type_error(repo, now):
    try:
        score = activity_score(repo, now=now)
    except (ValueError, TypeError) as error:
        assert str(error)
        return
    assert isinstance(score, int)


@FAST
@given(repo=repositories())
def test_the_score_of_stored_statistics_is_always_an_integer(repo):
    assert isinstance(activity_score(repo, now=NOW), int)


def with_more(repo: dict, key: str, more: int) -> dict:
    return {**repo, key: repo[key] + more}


@FAST
@given(repo=repositories(), more=st.integers(min_value=1, max_value=10**5),
       key=st.sampled_from(["stargazers_count", "forks_count", "subscribers_count", "open_issues_count"]))  # fmt: skip
def test_more_stars_forks_watchers_or_open_issues_never_lower_the_score(repo, more, key):
    # Each count adds a non-negative term to the base, which is then multiplied by positive factors
    # (recency, participation), offset by terms that do not depend on it, and damped by a
    # non-decreasing function (x, or 3000 + 100 ln x above 3000): IEEE rounding is monotonic too.
    assert activity_score(with_more(repo, key, more), now=NOW) >= activity_score(repo, now=NOW)


@FAST
@given(
    repo=repositories(),
    week=st.integers(min_value=0, max_value=59),
    more=st.integers(min_value=1, max_value=100),
)
def test_more_commits_in_a_week_never_lower_the_score(repo, week, more):
    metadata = repo["_InnerSourceMetadata"]
    participation = metadata.get("participation") or [0] * 13
    quieter = {**repo, "_InnerSourceMetadata": {**metadata, "participation": participation}}
    busier = list(participation)
    busier[week % len(busier)] += more
    richer = {**repo, "_InnerSourceMetadata": {**metadata, "participation": busier}}
    assert activity_score(richer, now=NOW) >= activity_score(quieter, now=NOW)


@FAST
@given(repo=repositories())
def test_contribution_guidelines_or_a_longer_description_never_lower_the_score(repo):
    guided = {
        **repo,
        "_InnerSourceMetadata": {**repo["_InnerSourceMetadata"], "guidelines": "CONTRIBUTING.md"},
    }
    described = {**repo, "description": "A description that is well over thirty characters long."}
    assert activity_score(guided, now=NOW) >= activity_score(repo, now=NOW)
    assert activity_score(described, now=NOW) >= activity_score(repo, now=NOW)


@FAST
@given(repo=repositories(), hours=st.integers(min_value=1, max_value=24 * 400))
def test_a_more_recent_update_never_lowers_the_score(repo, hours):
    updated = datetime.fromisoformat(repo["updated_at"])
    created = datetime.fromisoformat(repo["created_at"])
    older = updated - timedelta(hours=hours)
    assume(older >= created)
    staler = {**repo, "updated_at": older.isoformat().replace("+00:00", "Z")}
    assert activity_score(repo, now=NOW) >= activity_score(staler, now=NOW)


# --- the metric computations ---------------------------------------------------------------------------

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))


@FAST
@given(values=st.lists(st.integers(min_value=0, max_value=10**6), max_size=50))
def test_the_absence_factor_is_the_smallest_group_holding_half_the_work(values):
    n = absence_factor(values)
    assert 0 <= n <= len(values)
    total = sum(values)
    if total == 0:
        assert n == 0
        return
    ordered = sorted(values, reverse=True)
    assert 2 * sum(ordered[:n]) >= total  # these n hold at least half…
    assert 2 * sum(ordered[: n - 1]) < total  # …and no smaller group does
    assert absence_factor(list(reversed(values))) == n  # the order of people does not matter


@FAST
@given(values=st.lists(finite, min_size=1, max_size=50), q1=st.floats(0, 100), q2=st.floats(0, 100))
def test_percentiles_lie_within_the_values_and_grow_with_q(values, q1, q2):
    low, high = sorted((q1, q2))
    a, b = percentile(values, low), percentile(values, high)
    slack = 1e-9 * max(1.0, max(abs(v) for v in values))
    assert min(values) - slack <= a <= b + slack and b <= max(values) + slack
    assert percentile(values, 0) == min(values) and percentile(values, 100) == max(values)


@FAST
@given(
    hours=st.lists(st.floats(min_value=0, max_value=1e6), max_size=50),
    unanswered=st.none() | st.integers(0, 9),
)
def test_a_duration_summary_has_the_median_at_most_the_p90_within_the_durations(hours, unanswered):
    summary = duration_summary(hours, unanswered=unanswered)
    assert summary["count"] == len(hours)
    if not hours:
        assert summary["median_hours"] is None and summary["p90_hours"] is None
        return
    assert round(min(hours), 2) <= summary["median_hours"] <= summary["p90_hours"] <= round(max(hours), 2)
    if unanswered is not None:
        assert summary["unanswered"] == unanswered


@FAST
@given(a=moments, b=moments)
def test_business_hours_are_never_negative_nor_more_than_the_elapsed_hours(a, b):
    business = business_hours_between(a, b)
    assert 0 <= business <= elapsed_hours(a, b) + 1e-6
    assert within_business_days(a, b) == (business <= 48)
    # Five weekdays in every seven days: at most 48 hours short of 5/7 of the elapsed time.
    if b >= a:
        assert abs(business - elapsed_hours(a, b) * 5 / 7) <= 48 + 1e-6


@FAST
@given(times=st.lists(moments, min_size=3, max_size=3).map(sorted))
def test_business_hours_add_up_over_consecutive_spans(times):
    a, b, c = times
    assert math.isclose(
        business_hours_between(a, c),
        business_hours_between(a, b) + business_hours_between(b, c),
        abs_tol=1e-6,
    )


@FAST
@given(a=moments, b=moments, weeks_later=st.integers(min_value=-200, max_value=200))
def test_business_hours_do_not_depend_on_which_week_it_is(a, b, weeks_later):
    shift = timedelta(weeks=weeks_later)
    assert math.isclose(
        business_hours_between(a + shift, b + shift), business_hours_between(a, b), abs_tol=1e-6
    )


@FAST
@given(start=moments, hours=st.floats(min_value=0, max_value=24 * 5))
def test_within_a_week_day_every_hour_counts_and_a_weekend_none(start, hours):
    monday = (start - timedelta(days=start.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    saturday = monday + timedelta(days=5)
    assert math.isclose(business_hours_between(monday, monday + timedelta(hours=hours)), hours, abs_tol=1e-6)
    assert business_hours_between(saturday, saturday + timedelta(hours=min(hours, 48))) == 0


@FAST
@given(numerator=finite, denominator=finite)
def test_a_ratio_is_null_exactly_when_there_is_nothing_to_divide_by(numerator, denominator):
    value = ratio(numerator, denominator)
    assert (value is None) == (denominator == 0)
    if value is not None:
        assert math.isclose(value, numerator / denominator, abs_tol=1e-4, rel_tol=1e-9)
