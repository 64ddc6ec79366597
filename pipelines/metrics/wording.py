"""How an estimated difference is said in words, in one place for every surface.

A difference whose 95% interval includes no difference reads "no measurable difference" in words,
with the estimate and its interval beside it: never a number that sounds like a gain (or a loss) on
its own. The headline sentences, the executive summary, the review pack and the Methods page all
build their sentences about differences here.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.metrics.estimates import Estimate

NO_DIFFERENCE = "no measurable difference"


def signed_percent(value: float) -> str:
    """+14%, −3%, 0%."""
    rounded = round(value)
    return "0%" if rounded == 0 else f"{rounded:+d}%".replace("-", "−")


def multiple(value: float) -> str:
    return f"{value:.1f}×"


def ten_percent_more_tokens(elasticity: float) -> str:
    """What an elasticity means for 10% more tokens, as a signed percentage of merged PRs."""
    return f"{(1.1**elasticity - 1) * 100:+.1f}%".replace("-", "−")


def measurable(estimate: Estimate, null: float = 0.0) -> bool:
    """True when the 95% interval lies wholly on one side of `null` (no difference); False when it
    includes it, or when there is no interval to tell."""
    if estimate.value is None or estimate.ci95 is None:
        return False
    low, high = estimate.ci95
    return not low <= null <= high


def describe_effect(
    estimate: Estimate,
    measure: str,
    fmt: Callable[[float], str] = signed_percent,
    null: float = 0.0,
) -> str:
    """One sentence about the difference `estimate` measures in `measure` (a phrase such as "weekly
    merged PRs after people start using AI, against the imputed path without it"):
    - measurable: "{Measure}: +14% (95% interval +5% to +23%)."
    - interval includes `null`: "No measurable difference in {measure}: the 95% interval, −3% to +13%,
      includes no difference (estimate +5%)."
    - no estimate: "{Measure}: not available for this view."
    """
    if estimate.value is None:
        return f"{_capital(measure)}: not available for this view."
    if estimate.ci95 is None:
        return (
            f"{_capital(measure)}: {fmt(estimate.value)}, without an interval, so not shown as a difference."
        )
    low, high = estimate.ci95
    span = f"{fmt(low)} to {fmt(high)}"
    if not measurable(estimate, null):
        return (
            f"{_capital(NO_DIFFERENCE)} in {measure}: the 95% interval, {span}, includes no difference "
            f"(estimate {fmt(estimate.value)})."
        )
    return f"{_capital(measure)}: {fmt(estimate.value)} (95% interval {span})."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


HEADLINE_NONE = (
    "Too few people with varying AI use in this view to say how merged PRs move with tokens for the "
    "same engineer."
)


def headline(within: Estimate) -> str:
    """The one headline of every surface (the dashboard, `summary`'s `headline`, the pack): the
    within-person elasticity said as what 10% more tokens come with, for the same engineer, with its
    95% interval. Within-person because it compares each engineer with themself, so it does not mix
    who chooses to use AI with what AI use goes with (the pooled estimate does)."""
    if within.value is None:
        return HEADLINE_NONE
    lead = "For the same engineer, weeks with 10% more tokens come with"
    said = ten_percent_more_tokens(within.value)
    if within.ci95 is None:
        return f"{lead} {said} merged PRs (no interval for this view, so not a measured difference)."
    low, high = (ten_percent_more_tokens(v) for v in within.ci95)
    if not measurable(within):
        return (
            f"{lead} {NO_DIFFERENCE} in merged PRs (95% interval {low} to {high}; estimate {said}): "
            "an association within people, not an experiment."
        )
    return (
        f"{lead} {said} merged PRs (95% interval {low} to {high}): an association within people, "
        "not an experiment."
    )
