"""The null reads as null: a difference whose 95% interval includes none says so in words, on every
surface that builds a sentence about it (pipelines.metrics.wording)."""

from __future__ import annotations

import pytest

from pipelines.metrics import wording
from pipelines.metrics.estimates import Estimate, TopDecile
from pipelines.metrics.headline import headline_sentence
from pipelines.report.summary import ReviewFigures, _within_person


def estimate(value: float | None, ci: tuple[float, float] | None) -> Estimate:
    return Estimate(value, ci, 100, 50, "method", 50)


MEASURE = "weekly merged PRs after people start using AI"


def test_an_interval_that_includes_zero_reads_no_measurable_difference():
    line = wording.describe_effect(estimate(5.2, (-3.4, 13.9)), MEASURE)
    assert line == (
        "No measurable difference in weekly merged PRs after people start using AI: the 95% interval, "
        "−3% to +14%, includes no difference (estimate +5%)."
    )


def test_an_interval_clear_of_zero_states_the_difference_and_its_interval():
    assert wording.describe_effect(estimate(14.2, (5.1, 23.0)), MEASURE) == (
        "Weekly merged PRs after people start using AI: +14% (95% interval +5% to +23%)."
    )
    assert wording.describe_effect(estimate(-11.6, (-20.2, -3.0)), MEASURE).endswith(
        ": −12% (95% interval −20% to −3%)."
    )


@pytest.mark.parametrize(
    ("value", "ci", "null", "expected"),
    [
        (1.2, (0.9, 1.6), 1.0, False),
        (1.8, (1.3, 2.4), 1.0, True),
        (0.1, (0.0, 0.2), 0.0, False),
        (None, None, 0.0, False),
    ],
)
def test_measurable_means_the_interval_excludes_the_null(value, ci, null, expected):
    assert wording.measurable(estimate(value, ci), null) is expected


def test_a_missing_estimate_or_interval_is_never_shown_as_a_difference():
    assert wording.describe_effect(estimate(None, None), MEASURE).endswith("not available for this view.")
    assert "not shown as a difference" in wording.describe_effect(estimate(4.0, None), MEASURE)


def test_the_headline_says_no_measurable_difference_in_output_when_its_interval_includes_1x():
    top = TopDecile(estimate(9.6, (8.1, 11.2)), estimate(1.1, (0.8, 1.5)))
    line = headline_sentence(top)
    assert "9.6× the tokens" in line and "No measurable difference in merged PRs" in line
    assert "for 1.1× the output" not in line  # never the ratio on its own
    clear = headline_sentence(TopDecile(estimate(9.6, (8.1, 11.2)), estimate(2.0, (1.6, 2.5))))
    assert "for 2.0× the output" in clear and "No measurable" not in clear


def test_the_summary_within_person_sentence_reads_null_in_words():
    figures = ReviewFigures(
        period_start=None, period_end=None, people_in_view=10, adoption_target=0.5, adoption_weekly=(),
        spend_usd=None, spend_per_engineer_week_usd=None, merged_prs_per_engineer_week=None,
        headline_efficiency=None, elasticity=0.02, elasticity_ci=(-0.03, 0.07),
    )  # fmt: skip
    line = _within_person(figures)
    assert line.startswith(
        "No measurable difference in merged PRs in weeks when the same person uses 10% more"
    )
    assert "+0.2%" in line and "Elasticity 0.02, 95% interval -0.03 to 0.07" in line
