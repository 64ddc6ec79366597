"""The executive summary's sentences: each case of the forecast, missing inputs, uncertain estimates."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from pipelines.report.forecast import adoption_forecast
from pipelines.report.summary import ReviewFigures, sentences, usd
from tests.report.conftest import review_figures

MONDAY = date(2026, 3, 2)
CAUSAL = re.compile(
    r"\b(causes?|caused|causing|leads? to|drives?|because of|results? in|impact|due to)\b", re.I
)


def weeks(*rates: float) -> tuple[tuple[date, float], ...]:
    return tuple((MONDAY + timedelta(weeks=i), rate) for i, rate in enumerate(rates))


def topic(figures: ReviewFigures, index: int) -> str:
    return sentences(figures)[index]


ADOPTION, SPEND, OUTPUT, EFFICIENCY, DECILES, WITHIN, GUARDRAILS, TOKENMAXXING = range(1, 9)


def test_every_topic_is_a_sentence_without_causal_language() -> None:
    lines = sentences(review_figures())
    assert len(lines) == 9
    for line in lines:
        assert line[0].isupper() and line.endswith(".")
        assert not CAUSAL.search(line), line


def test_target_already_reached_says_since_when() -> None:
    figures = replace(
        review_figures(), adoption_weekly=weeks(0.5, 0.82, 0.7, 0.81, 0.85), adoption_target=0.8
    )
    assert adoption_forecast(figures.adoption_weekly, 0.8).status == "reached"
    line = topic(figures, ADOPTION)
    assert "85% of people used AI, against a target of 80%" in line
    assert "already reached" in line and "since 23 Mar 2026" in line  # the run that is still going


def test_rising_trend_gives_the_week_and_its_range() -> None:
    rates = (0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75)  # +5 points a week, exactly
    forecast = adoption_forecast(weeks(*rates), 0.8)
    assert forecast.status == "on_track"
    assert forecast.slope_per_week == pytest.approx(0.05)
    assert forecast.week == MONDAY + timedelta(weeks=8)  # one more week of +5 points
    assert forecast.earliest == forecast.latest == forecast.week  # a perfect line: no spread
    line = topic(replace(review_figures(), adoption_weekly=weeks(*rates)), ADOPTION)
    assert "(+5.0 points a week)" in line and "week of 27 Apr 2026" in line and "95% range" in line


def test_noisy_trend_gives_a_range_that_contains_the_week() -> None:
    rates = (0.40, 0.48, 0.44, 0.52, 0.50, 0.58, 0.55, 0.62)
    forecast = adoption_forecast(weeks(*rates), 0.8)
    assert forecast.status == "on_track"
    assert forecast.earliest is not None and forecast.earliest <= forecast.week
    assert forecast.latest is None or forecast.week <= forecast.latest


def test_uncertain_slope_says_the_slow_end_may_never_get_there() -> None:
    rates = (0.50, 0.62, 0.48, 0.60, 0.47, 0.63, 0.50, 0.64)  # barely rising, very noisy
    forecast = adoption_forecast(weeks(*rates), 0.8)
    assert forecast.status == "on_track" and forecast.latest is None
    line = topic(replace(review_figures(), adoption_weekly=weeks(*rates)), ADOPTION)
    assert "not within two years" in line


@pytest.mark.parametrize("rates", [(0.6, 0.6, 0.6, 0.6), (0.7, 0.65, 0.6, 0.55)])
def test_flat_or_falling_adoption_is_not_reached_on_trend(rates: tuple[float, ...]) -> None:
    assert adoption_forecast(weeks(*rates), 0.8).status == "not_on_trend"
    line = topic(replace(review_figures(), adoption_weekly=weeks(*rates)), ADOPTION)
    assert "not reached on the straight-line trend" in line


def test_too_few_weeks_to_project() -> None:
    line = topic(replace(review_figures(), adoption_weekly=weeks(0.5, 0.6)), ADOPTION)
    assert "too few weeks (2) to project" in line


def test_missing_inputs_say_not_available_instead_of_vanishing() -> None:
    empty = ReviewFigures(
        period_start=MONDAY,
        period_end=MONDAY + timedelta(days=6),
        people_in_view=0,
        adoption_target=0.8,
        adoption_weekly=(),
        spend_usd=None,
        spend_per_engineer_week_usd=None,
        merged_prs_per_engineer_week=None,
        headline_efficiency=None,
    )
    lines = sentences(empty)
    assert len(lines) == 9
    assert all("not available" in line for line in lines[1:]), lines


def test_one_missing_guardrail_is_named() -> None:
    line = topic(review_figures(), GUARDRAILS)
    assert "revert rate 2.1%" in line and "average PR size 118 changed lines" in line
    assert "bug tickets not available" in line


def test_interval_crossing_zero_is_said_plainly() -> None:
    figures = replace(review_figures(), elasticity=0.04, elasticity_ci=(-0.03, 0.11), pooled_elasticity=0.3)
    line = topic(figures, WITHIN)
    assert line.startswith("No measurable difference in merged PRs")
    assert "95% interval -0.03 to 0.11" in line
    assert "0.30" in line  # the pooled figure for contrast


def test_interval_above_zero_states_the_size() -> None:
    line = topic(review_figures(), WITHIN)  # elasticity 0.12 (0.05 to 0.19)
    assert f"10% more tokens: +{(1.1**0.12 - 1) * 100:.1f}% (95% interval" in line
    assert "no measurable difference" not in line.lower()


def test_deciles_name_the_lightest_middle_and_heaviest_and_the_gaps() -> None:
    by_decile = ((1, None), (2, 0.5), (3, 0.6), (4, 1.2), (5, 2.0))
    line = topic(replace(review_figures(), cost_per_merged_pr_by_decile=by_decile), DECILES)
    assert "from $0.50 in the lightest-using decile to $2.00 in the heaviest" in line
    assert "decile 4 $1.20" in line and "Deciles 1 have no merged PRs" in line


def test_spend_and_tokenmaxxing_are_formatted_for_leaders() -> None:
    figures = replace(review_figures(), spend_usd=1_234_567.0, spend_per_engineer_week_usd=41.5)
    assert topic(figures, SPEND) == "AI spend was $1.2M over the period, $41.50 per engineer-week."
    assert "flagged on 3.4% of AI spend" in topic(figures, TOKENMAXXING)
    assert [usd(4.2), usd(420), usd(123_456)] == ["$4.20", "$420", "$123,456"]


def test_the_headline_efficiency_sentence_is_passed_through_with_a_full_stop() -> None:
    line = topic(review_figures(), EFFICIENCY)
    assert line.startswith("The heaviest-using tenth of AI users") and line.endswith("2.5×).")
