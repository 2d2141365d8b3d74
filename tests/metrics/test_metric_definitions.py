"""The arithmetic of METRICS.md, number by number (metrics/computations.py; no database)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from metrics.computations import (
    absence_factor,
    business_hours_between,
    duration_summary,
    elapsed_hours,
    per_week,
    percentile,
    ratio,
    within_business_days,
)


def jan(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """January 2026 in UTC: the 5th, 12th and 19th are Mondays; the 10th/11th, 17th/18th weekends."""
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


# Worked examples of METRICS.md


def test_the_absence_factor_of_the_worked_example_is_2():
    # total 2475, half 1237.5; sorted: 1000 < 1237.5, 1000 + 433 = 1433 >= 1237.5 -> 2
    assert absence_factor([1000, 202, 90, 33, 332, 343, 42, 433]) == 2


def test_eight_equal_counts_give_an_absence_factor_of_4():
    # total 80, half 40: 10 + 10 + 10 + 10 = 40 reaches "at least half" -> 4
    assert absence_factor([10] * 8) == 4


def test_no_counts_give_an_absence_factor_of_0():
    assert absence_factor([]) == 0


def test_the_drafted_request_of_the_worked_example_waits_24_hours_within_2_business_days():
    # ready Monday 13:00; the author's 14:00 and the bot's 14:05 do not count; colleague Tuesday 13:00
    ready, colleague = jan(5, 13), jan(6, 13)
    assert elapsed_hours(ready, colleague) == 24
    assert business_hours_between(ready, colleague) == 24
    assert within_business_days(ready, colleague)


def test_durations_of_24_and_48_hours_have_median_36_and_p90_45_6():
    # median: rank 0.5 -> 24 + 0.5 × 24 = 36; p90: rank 0.9 -> 24 + 0.9 × 24 = 45.6
    assert duration_summary([24, 48]) == {"count": 2, "median_hours": 36, "p90_hours": 45.6}


# Percentiles (numpy's default linear interpolation)


def test_a_percentile_interpolates_between_the_closest_ranks_like_numpy():
    # [1, 2, 3, 4]: q90 -> rank 3 × 0.9 = 2.7 -> 3 + 0.7 × (4 - 3) = 3.7; q50 -> rank 1.5 -> 2.5
    assert percentile([4, 1, 3, 2], 90) == pytest.approx(3.7)
    assert percentile([4, 1, 3, 2], 50) == 2.5


def test_the_extreme_percentiles_are_the_smallest_and_largest_values():
    assert percentile([7, 3, 9], 0) == 3
    assert percentile([7, 3, 9], 100) == 9


def test_the_percentile_of_a_single_value_is_that_value():
    assert percentile([5], 90) == 5


def test_a_percentile_of_nothing_or_out_of_range_is_refused():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


# Duration summaries


def test_a_duration_summary_of_nothing_has_null_median_and_p90():
    assert duration_summary([]) == {"count": 0, "median_hours": None, "p90_hours": None}


def test_a_duration_summary_carries_the_unanswered_count_when_given():
    # [1, 2, 4]: median 2; p90 rank 1.8 -> 2 + 0.8 × (4 - 2) = 3.6
    assert duration_summary([1, 2, 4], unanswered=3) == {
        "count": 3,
        "unanswered": 3,
        "median_hours": 2,
        "p90_hours": 3.6,
    }
    assert duration_summary([], unanswered=0)["unanswered"] == 0


def test_a_duration_summary_rounds_to_2_decimals():
    # [0, 1/3]: median 1/6 = 0.1666... -> 0.17; p90 0.9/3 = 0.3 -> 0.3
    assert duration_summary([0, 1 / 3]) == {"count": 2, "median_hours": 0.17, "p90_hours": 0.3}


def test_an_event_before_the_moment_it_is_measured_from_counts_as_0_hours():
    assert elapsed_hours(jan(8, 12), jan(8, 10)) == 0


# Business days: whole weekdays in UTC, Saturdays and Sundays not counted


def test_a_friday_to_monday_response_counts_only_the_weekdays():
    # Friday 10:00 -> midnight = 14 h, the weekend 0 h, Monday until 10:00 = 10 h: 24 h although 72 elapsed
    assert business_hours_between(jan(9, 10), jan(12, 10)) == 24
    assert within_business_days(jan(9, 10), jan(12, 10))


def test_two_business_days_end_after_48_weekday_hours_inclusive():
    # Friday 10:00 -> Tuesday: 14 + 24 (Monday) + hours of Tuesday
    assert business_hours_between(jan(9, 10), jan(13, 9)) == 47
    assert within_business_days(jan(9, 10), jan(13, 10))  # 48 exactly: still within
    assert not within_business_days(jan(9, 10), jan(13, 11))  # 49


def test_a_response_on_a_weekend_counts_the_weekday_time_before_it():
    # Friday 22:00 -> Saturday 12:00: only Friday's last 2 hours count
    assert business_hours_between(jan(9, 22), jan(10, 12)) == 2
    # Saturday 10:00 -> Monday 09:00: only Monday's first 9 hours count
    assert business_hours_between(jan(10, 10), jan(12, 9)) == 9
    # opened and answered within one weekend: 0 hours
    assert business_hours_between(jan(10, 10), jan(11, 20)) == 0


def test_business_hours_across_weeks_count_five_days_a_week():
    # Monday the 5th 00:00 -> Monday the 19th 00:00: two weeks of 5 × 24 h = 240 h
    assert business_hours_between(jan(5), jan(19)) == 240
    assert not within_business_days(jan(5), jan(19), days=9)
    assert within_business_days(jan(5), jan(19), days=10)


def test_business_days_are_told_in_utc_whatever_the_offset():
    plus_two = timezone(timedelta(hours=2))
    # Monday 01:00 and 02:00 at +02:00 are Sunday 23:00 and Monday 00:00 UTC: the hour is a Sunday's
    start = datetime(2026, 1, 12, 1, tzinfo=plus_two)
    assert business_hours_between(start, start + timedelta(hours=1)) == 0


def test_naive_datetimes_are_taken_as_utc_and_reversed_spans_are_0():
    assert business_hours_between(datetime(2026, 1, 5, 13), datetime(2026, 1, 6, 13)) == 24
    assert business_hours_between(jan(6), jan(5)) == 0


# Ratios


def test_a_ratio_is_rounded_to_4_decimals_and_null_on_a_zero_denominator():
    assert ratio(2, 3) == 0.6667
    assert ratio(0, 5) == 0
    assert ratio(3, 0) is None


def test_a_count_per_week_divides_by_the_period_in_weeks():
    # 3 over 14 days = 3 / 2 weeks = 1.5; 2 over 90 days = 2 / 12.857... = 0.1556
    assert per_week(3, days=14) == 1.5
    assert per_week(2, days=90) == 0.1556
    assert per_week(3, days=0) is None
