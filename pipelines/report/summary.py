"""The executive summary: plain sentences generated from the figures of one view.

Numbers are rounded for leaders, every estimate carries its interval, associations are never called
causes, and a missing input gives a sentence saying so rather than silently disappearing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipelines import formats
from pipelines.metrics.estimates import Estimate
from pipelines.metrics.wording import describe_effect, ten_percent_more_tokens
from pipelines.report.forecast import adoption_forecast


@dataclass(frozen=True)
class Guardrails:
    """Quality signals that should not get worse as AI use grows; None when not measured."""

    revert_rate: float | None = None  # share of merged PRs later reverted
    mean_pr_lines: float | None = None  # lines added + deleted
    mean_hours_to_merge: float | None = None
    bug_ticket_share: float | None = None  # share of closed tickets that are bugs


@dataclass(frozen=True)
class ReviewFigures:
    """What the summary is written from: already computed for one viewer and period."""

    period_start: date
    period_end: date
    people_in_view: int
    adoption_target: float  # share of people using AI in a week, 0-1
    adoption_weekly: tuple[tuple[date, float], ...]  # (week's Monday, weekly active rate), in order
    spend_usd: float | None
    spend_per_engineer_week_usd: float | None
    merged_prs_per_engineer_week: float | None
    headline_efficiency: str | None  # the efficiency sentence, written by the efficiency page
    cost_per_merged_pr_by_decile: tuple[tuple[int, float | None], ...] = ()  # (usage decile, USD)
    elasticity: float | None = None  # within-person, log merged PRs on log tokens
    elasticity_ci: tuple[float, float] | None = None  # its 95% interval
    pooled_elasticity: float | None = None  # across people, for contrast
    guardrails: Guardrails = field(default_factory=Guardrails)
    tokenmaxxing_spend_share: float | None = None  # share of spend flagged, 0-1
    tokenmaxxing_spend_share_ci: tuple[float, float] | None = None  # its 95% interval
    useful_ai_rate: float | None = None  # engineer-weeks with AI use and output, 0-1
    headline: str | None = None  # wording.headline(): what every surface leads with
    lead: tuple[str, ...] = ()  # metrics/changes.py: what changed against the previous period
    withheld: str | None = None  # why the view shows no estimate (the headline says it, once)


def sentences(fig: ReviewFigures) -> list[str]:
    """The executive summary: the headline and what changed first (the same sentences the dashboard
    opens with), then one entry per topic. With the lead, its spend and output sentences stand for
    the period totals, and the headline for the within-person estimate."""
    led = bool(fig.lead)
    # a view with no estimate at all: the headline says why, once, instead of a line per topic
    estimates = [
        _efficiency(fig),
        _deciles(fig),
        *([] if led and fig.headline else [_within_person(fig)]),
        _guardrails(fig.guardrails),
        _tokenmaxxing(fig),
    ]
    topics = [
        _scope(fig),
        _adoption(fig),
        *([] if led else [_spend(fig), _output(fig)]),
        *([] if fig.withheld else estimates),
    ]
    return [*([fig.headline] if fig.headline else []), *fig.lead, *topics]


def _scope(fig: ReviewFigures) -> str:
    weeks = (fig.period_end - fig.period_start).days // 7 + 1
    return (
        f"This review covers {fig.people_in_view:,} people from {day(fig.period_start)} "
        f"to {day(fig.period_end)} ({weeks} weeks)."
    )


def _adoption(fig: ReviewFigures) -> str:
    target = pct(fig.adoption_target)
    if not fig.adoption_weekly:
        return f"Adoption against the {target} target is not available: no weeks in this view."
    week, rate = fig.adoption_weekly[-1]
    now = f"In the week of {day(week)}, {pct(rate)} of people used AI, against a target of {target}."
    if fig.useful_ai_rate is not None:
        now += (
            f" Useful AI weeks (AI use and a merged PR or closed ticket): {pct(fig.useful_ai_rate)} of "
            "engineer-weeks over the period."
        )
    forecast = adoption_forecast(fig.adoption_weekly, fig.adoption_target)
    if forecast.status == "reached":
        since = fig.adoption_weekly[_first_of_last_run(fig.adoption_weekly, fig.adoption_target)][0]
        return f"{now} The target is already reached: at or above it every week since {day(since)}."
    if forecast.status == "too_few_weeks":
        return f"{now} There are too few weeks ({forecast.weeks_used}) to project a trend."
    trend = f"the straight-line trend of the last {forecast.weeks_used} weeks"
    slope = f"{forecast.slope_per_week * 100:+.1f} points a week"
    if forecast.status == "not_on_trend":
        return f"{now} The target is not reached on {trend} ({slope}) within two years."
    if forecast.latest is not None:
        span = f"95% range {day(forecast.earliest)} to {day(forecast.latest)}"
    else:
        span = f"95% range from {day(forecast.earliest)} to not within two years"
    return (
        f"{now} On {trend} ({slope}), the target would be reached in the week of "
        f"{day(forecast.week)} ({span}); a projection, not a commitment."
    )


def _first_of_last_run(weekly: tuple[tuple[date, float], ...], target: float) -> int:
    """Index of the first week of the final run of weeks at or above the target."""
    start = len(weekly) - 1
    while start > 0 and weekly[start - 1][1] >= target:
        start -= 1
    return start


def _spend(fig: ReviewFigures) -> str:
    if fig.spend_usd is None:
        return "AI spend is not available for this view."
    per = fig.spend_per_engineer_week_usd
    each = f", {usd(per)} per engineer-week" if per is not None else ""
    return f"AI spend was {usd(fig.spend_usd)} over the period{each}."


def _output(fig: ReviewFigures) -> str:
    if fig.merged_prs_per_engineer_week is None:
        return "Output per engineer (merged PRs per engineer-week) is not available for this view."
    return f"Engineers merged {fig.merged_prs_per_engineer_week:.2f} PRs per engineer-week."


def _efficiency(fig: ReviewFigures) -> str:
    text = (fig.headline_efficiency or "").strip()
    if not text:
        return "The efficiency curve is not available: too few AI users in this view for deciles."
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _deciles(fig: ReviewFigures) -> str:
    known = [(d, v) for d, v in fig.cost_per_merged_pr_by_decile if v is not None]
    if not known:
        return "Cost per merged PR by usage decile is not available for this view."
    picks = sorted({known[0], known[len(known) // 2], known[-1]})
    listed = ", ".join(f"decile {d} {usd(v)}" for d, v in picks)
    missing = [d for d, v in fig.cost_per_merged_pr_by_decile if v is None]
    gap = f" Deciles {', '.join(map(str, missing))} have no merged PRs." if missing else ""
    return (
        f"AI spend per merged PR goes from {usd(known[0][1])} in the lightest-using decile "
        f"to {usd(known[-1][1])} in the heaviest ({listed}).{gap}"
    )


def _within_person(fig: ReviewFigures) -> str:
    if fig.elasticity is None or fig.elasticity_ci is None:
        return "The within-person estimate is not available: too few people with varying use."
    low, high = fig.elasticity_ci
    estimate = Estimate(fig.elasticity, fig.elasticity_ci, 0, 0, "")
    text = describe_effect(
        estimate, "merged PRs in weeks when the same person uses 10% more tokens", fmt=ten_percent_more_tokens
    )
    text += f" Elasticity {fig.elasticity:.2f}, 95% interval {low:.2f} to {high:.2f}: an association within people"
    if fig.pooled_elasticity is not None:
        text += (
            f". Comparing different people instead gives {fig.pooled_elasticity:.2f}, "
            "which also reflects who chooses to use AI"
        )
    return f"{text}."


def _guardrails(g: Guardrails) -> str:
    parts = {
        "revert rate": pct(g.revert_rate, 1) if g.revert_rate is not None else None,
        "average PR size": f"{g.mean_pr_lines:,.0f} changed lines" if g.mean_pr_lines is not None else None,
        "average time from open to merge": hours(g.mean_hours_to_merge)
        if g.mean_hours_to_merge is not None
        else None,
        "bug tickets": f"{pct(g.bug_ticket_share)} of closed tickets"
        if g.bug_ticket_share is not None
        else None,
    }
    if all(v is None for v in parts.values()):
        return "The quality guardrails are not available for this view."
    shown = "; ".join(f"{k} {v if v is not None else 'not available'}" for k, v in parts.items())
    return f"Quality guardrails: {shown}."


def _tokenmaxxing(fig: ReviewFigures) -> str:
    share = fig.tokenmaxxing_spend_share
    if share is None:
        return "The share of spend flagged as possible tokenmaxxing is not available for this view."
    ci = fig.tokenmaxxing_spend_share_ci
    span = f" (95% interval {pct(ci[0], 1)} to {pct(ci[1], 1)})" if ci else ""
    return (
        f"Possible tokenmaxxing (a person's spend jumping well beyond their own history for weeks, without "
        f"the output the organization's own curve predicts) is flagged on {pct(share, 1)} of AI spend{span}: "
        "a prompt for a conversation about how tools are used, not a finding about anyone."
    )


def day(value: date | None) -> str:
    return "unknown" if value is None else formats.day(value)


def pct(share: float | None, digits: int = 0) -> str:
    """formats.pct, in a sentence: a missing share is "not available", not a dash."""
    return "not available" if share is None else formats.pct(share, digits)


def usd(amount: float | None) -> str:
    """formats.usd, in a sentence: a missing amount is "not available", not a dash."""
    return "not available" if amount is None else formats.usd(amount)


def hours(value: float) -> str:
    return f"{value:.1f} hours" if value < 48 else f"{value / 24:.1f} days"
