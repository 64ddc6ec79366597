"""What changed: the view's figures against the previous period of the same length, in plain sentences.

Every page of aggregates, `tokenyield summary` and the review pack's executive summary open with
these sentences, so that a reader gets the answer before the charts. They are computed from
released figures only (metrics/released.py's weekly rows for the viewer and filters, and the
units table of the same release), never from person-level data:

- the current period is the view's weeks; the previous period is the same number of weeks just
  before it. A view from the warehouse's first week has nothing before it, so its later half is compared with
  its earlier half;
- each figure is a ratio of sums over the period's released weeks (the Overview's key figures);
- its interval is a 95% bootstrap interval over weeks (weeks resampled within each period), the only
  unit the release gives: it says how much the change moves with which weeks happened to fall in
  each period, not a causal effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import polars as pl

from pipelines import formats

Basis = Literal["before", "halves"]
FAR_OFF_TARGET = 0.20  # a team this far (20 points) below the adoption target is named
SPEND_GREW = 0.20  # a team whose spend grew by more than this without more output is named
NAMED = 5  # teams named in a sentence; the rest are counted
RESAMPLES = 2_000
MIN_WEEKS = 3  # fewer released weeks in a period: no interval


@dataclass(frozen=True)
class Periods:
    """The current period and the one it is compared with, each (first Monday, last Monday)."""

    current: tuple[date, date]
    previous: tuple[date, date] | None
    basis: Basis

    @property
    def weeks(self) -> int:
        return (self.current[1] - self.current[0]).days // 7 + 1


def periods(all_weeks: Sequence[date], start: date | None, end: date | None) -> Periods | None:
    """The view's weeks and the same number of weeks just before them (None when the view has no
    week). A view from the warehouse's first week is split in halves instead."""
    weeks = sorted(all_weeks)
    shown = [w for w in weeks if (not start or w >= start) and (not end or w <= end)]
    if not shown:
        return None
    n = len(shown)
    before = [w for w in weeks if w < shown[0]]
    if len(before) >= n:
        return Periods((shown[0], shown[-1]), (before[-n], before[-1]), "before")
    if before or n < 2:
        return Periods((shown[0], shown[-1]), None, "before")
    half = n // 2
    later = shown[n - half :]
    earlier = shown[n - 2 * half : n - half]
    return Periods((later[0], later[-1]), (earlier[0], earlier[-1]), "halves")


@dataclass(frozen=True)
class Change:
    """One figure in both periods. `change` is in points for shares (0.05 = 5 points) and relative
    for everything else (0.78 = +78%); ci95 is its 95% interval over weeks, or None."""

    column: str  # the weekly column it is named after (formats.label / formats.kind)
    previous: float | None
    current: float | None
    change: float | None
    ci95: tuple[float, float] | None
    in_points: bool

    @property
    def measurable(self) -> bool:
        """The interval lies wholly on one side of no change."""
        return self.ci95 is not None and not self.ci95[0] <= 0 <= self.ci95[1]


@dataclass(frozen=True)
class TeamNote:
    team: str


@dataclass(frozen=True)
class Lead:
    """Everything the leading sentences are written from, for one viewer and view."""

    periods: Periods | None
    target: float
    figures: dict[str, Change]  # weekly_active_rate, useful_ai_rate, cost_usd, merged_prs_per_engineer_week,
    # cost_per_merged_pr
    trend: (
        tuple[tuple[date, float], tuple[date, float]] | None
    )  # the rolling cost per merged PR, first and last
    teams_total: int  # teams shown (not suppressed) in the current period
    far_off_target: tuple[str, ...]  # in name order
    spend_without_output: tuple[str, ...]  # in name order

    @property
    def sentences(self) -> list[str]:
        return sentences(self)


FIGURES = (
    "weekly_active_rate",
    "useful_ai_rate",
    "cost_usd",
    "merged_prs_per_engineer_week",
    "cost_per_merged_pr",
)
SHARES = {"weekly_active_rate", "useful_ai_rate"}


def _arrays(weekly: pl.DataFrame) -> dict[str, np.ndarray]:
    shown = weekly.filter(~pl.col("suppressed"))
    people = shown["people_in_scope"].fill_null(0).cast(pl.Float64).to_numpy()

    def col(name: str) -> np.ndarray:
        return shown[name].cast(pl.Float64).to_numpy()

    active, useful = col("weekly_active_rate"), col("useful_ai_rate")
    return {
        "people": people,
        "active_w": np.where(np.isnan(active), 0.0, people),
        "active": np.nan_to_num(active) * people,
        "useful_w": np.where(np.isnan(useful), 0.0, people),
        "useful": np.nan_to_num(useful) * people,
        "cost": np.nan_to_num(col("cost_usd")),
        "merged": np.nan_to_num(col("merged_prs")),
        "merged_spend": np.nan_to_num(col("merged_prs_with_spend")),
        "any_usage": ~np.isnan(col("cost_usd")),
    }


def _figures(a: dict[str, np.ndarray], axis: int = -1) -> dict[str, np.ndarray]:
    """The five figures of a period from its weeks' sums (ratios of sums, as in released.key_figures);
    along `axis` for a stack of resamples."""

    def ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
        t, b = top.sum(axis=axis), bottom.sum(axis=axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b > 0, t / np.where(b > 0, b, 1), np.nan)

    any_usage = a["any_usage"].any(axis=axis)
    return {
        "weekly_active_rate": ratio(a["active"], a["active_w"]),
        "useful_ai_rate": ratio(a["useful"], a["useful_w"]),
        "cost_usd": np.where(any_usage, a["cost"].sum(axis=axis), np.nan),
        "merged_prs_per_engineer_week": ratio(a["merged"], a["people"]),
        "cost_per_merged_pr": ratio(a["cost"], a["merged_spend"]),
    }


def _change(previous: np.ndarray | float, current: np.ndarray | float, in_points: bool) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if in_points:
            return np.asarray(current) - np.asarray(previous)
        prev = np.asarray(previous, dtype=float)
        return np.where(prev > 0, np.asarray(current) / np.where(prev > 0, prev, 1) - 1, np.nan)


def _value(x: np.ndarray | float) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v


def compare(weekly: pl.DataFrame, p: Periods) -> dict[str, Change]:
    """Each figure in both periods, with the change's 95% interval over weeks (weeks resampled
    within each period, a fixed seed so that every surface prints the same interval)."""
    if p.previous is None:
        return {}
    now = _arrays(weekly.filter(pl.col("week").is_between(*p.current)))
    before = _arrays(weekly.filter(pl.col("week").is_between(*p.previous)))
    fig_now, fig_before = _figures(now), _figures(before)
    weeks_now, weeks_before = now["people"].size, before["people"].size
    boot_now = boot_before = None
    if weeks_now >= MIN_WEEKS and weeks_before >= MIN_WEEKS:
        rng = np.random.default_rng(15)
        pick_now = rng.integers(0, weeks_now, (RESAMPLES, weeks_now))
        pick_before = rng.integers(0, weeks_before, (RESAMPLES, weeks_before))
        boot_now = _figures({k: v[pick_now] for k, v in now.items()})
        boot_before = _figures({k: v[pick_before] for k, v in before.items()})
    out: dict[str, Change] = {}
    for name in FIGURES:
        points = name in SHARES
        previous, current = _value(fig_before[name]), _value(fig_now[name])
        change = _value(_change(fig_before[name], fig_now[name], points))
        ci = None
        if change is not None and boot_now is not None and boot_before is not None:
            draws = _change(boot_before[name], boot_now[name], points)
            draws = draws[~np.isnan(draws)]
            if draws.size >= RESAMPLES // 2:
                low, high = np.percentile(draws, [2.5, 97.5])
                ci = (float(low), float(high))
        out[name] = Change(name, previous, current, change, ci, points)
    return out


def cost_trend(weekly: pl.DataFrame, weeks: int) -> tuple[tuple[date, float], tuple[date, float]] | None:
    """The rolling cost per merged PR (spend over merged PRs of `weeks` weeks) at the first week it
    covers in full and at the last week: (week, USD) each."""
    shown = weekly.sort("week").with_columns(
        spend=pl.col("cost_usd").fill_null(0).rolling_sum(weeks),
        merged=pl.col("merged_prs_with_spend").fill_null(0).cast(pl.Float64).rolling_sum(weeks),
    )
    points = shown.filter(pl.col("merged") > 0).select(
        "week", (pl.col("spend") / pl.col("merged")).alias("v")
    )
    if points.height < 2:
        return None
    return (points.row(0), points.row(-1))  # type: ignore[return-value]


def team_notes(
    now: pl.DataFrame, before: pl.DataFrame | None, target: float
) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    """From the released units tables of both periods: the teams shown, those far below the
    adoption target in the latest week, and those whose spend grew without more merged PRs per
    engineer-week. Names in name order, never ranked by a figure."""
    if now.is_empty() or "active_rate_latest" not in now.columns:
        return 0, (), ()
    shown = now.filter(~pl.col("suppressed").fill_null(True))
    far = shown.filter(pl.col("active_rate_latest") < target - FAR_OFF_TARGET)["team"].sort().to_list()
    grew: list[str] = []
    if before is not None and before.height and "cost_usd" in before.columns:
        joined = shown.join(
            before.filter(~pl.col("suppressed").fill_null(True)).select(
                "team", cost_before="cost_usd", output_before="merged_prs_per_engineer_week"
            ),
            on="team",
        )
        grew = (
            joined.filter(
                (pl.col("cost_before") > 0)
                & (pl.col("cost_usd") > pl.col("cost_before") * (1 + SPEND_GREW))
                & (pl.col("merged_prs_per_engineer_week") <= pl.col("output_before"))
            )["team"]
            .sort()
            .to_list()
        )
    return shown.height, tuple(far), tuple(grew)


def lead(
    weekly: pl.DataFrame,
    p: Periods | None,
    target: float,
    teams_now: pl.DataFrame | None = None,
    teams_before: pl.DataFrame | None = None,
    trend_weeks: int = 4,
) -> Lead:
    """The Lead of a view from its released weekly rows over both periods and its units tables."""
    figures = compare(weekly, p) if p else {}
    span = (
        weekly.filter(pl.col("week").is_between(p.previous[0] if p.previous else p.current[0], p.current[1]))
        if p
        else weekly
    )
    total, far, grew = team_notes(
        teams_now if teams_now is not None else pl.DataFrame(), teams_before, target
    )
    return Lead(p, target, figures, cost_trend(span, trend_weeks), total, far, grew)


# ---- sentences ----------------------------------------------------------------------------------


def _signed(change: float, in_points: bool) -> str:
    if in_points:
        points = round(change * 100)
        return "0 points" if points == 0 else f"{points:+d} points".replace("-", "−")
    rounded = round(change * 100)
    return "0%" if rounded == 0 else f"{rounded:+d}%".replace("-", "−")


def _shown(column: str, value: float | None) -> str:
    return formats.text(value, column)


def _verb(c: Change) -> str:
    if c.change is None:
        return "changed"
    if c.ci95 is not None and not c.measurable:
        return "held about level"
    return "rose" if c.change > 0 else "fell" if c.change < 0 else "held level"


def _span(c: Change) -> str:
    if c.ci95 is None:
        return ""
    low, high = c.ci95
    return f"; 95% interval {_signed(low, c.in_points)} to {_signed(high, c.in_points)}"


def describe(c: Change) -> str:
    """'Cost per merged PR rose from $2.30 to $4.10 (+78%; 95% interval +60% to +95%)'; a change
    whose interval includes none 'held about level'."""
    name = formats.label(c.column)
    if c.previous is None or c.current is None or c.change is None:
        return f"{name} cannot be compared: it is not shown in both periods"
    before, now = _shown(c.column, c.previous), _shown(c.column, c.current)
    said = f"({_signed(c.change, c.in_points)}{_span(c)})"
    verb = _verb(c)
    if verb in ("rose", "fell"):
        return f"{name} {verb} from {before} to {now} {said}"
    return f"{name} {verb}, {before} then {now} {said}"


def _period_words(p: Periods) -> str:
    n = p.weeks
    dates = f"{formats.day(p.current[0])} to {formats.day(p.current[1] + timedelta(days=6))}"
    if p.previous is None:
        return f"the {n} weeks of {dates}"
    if p.basis == "halves":
        return f"the last {n} weeks ({dates}) against the {n} weeks before"
    return f"the {n} weeks of {dates} against the {n} weeks before"


def _names(teams: Sequence[str]) -> str:
    shown = ", ".join(teams[:NAMED])
    return shown + (f" and {len(teams) - NAMED} more" if len(teams) > NAMED else "")


def sentences(lead_: Lead) -> list[str]:
    """The leading sentences, the answer first: what cost per merged PR did beside output, then
    adoption, spend, the trend and the teams to look at. Plain text: a page escapes it."""
    p, f = lead_.periods, lead_.figures
    if p is None:
        return ["No week of this view is released, so nothing can be compared."]
    if p.previous is None or not f:
        return [
            f"No earlier period of {p.weeks} weeks is in the warehouse to compare {_period_words(p)} with."
        ]
    out: list[str] = []
    cost, output = f["cost_per_merged_pr"], f["merged_prs_per_engineer_week"]
    words = _period_words(p)
    answer = f"{words[:1].upper()}{words[1:]}: {describe(cost)}"
    if output.change is not None:
        answer += f", while {describe(output)[:1].lower()}{describe(output)[1:]}"
    out.append(answer + ".")
    active, useful = f["weekly_active_rate"], f["useful_ai_rate"]
    adoption = f"{describe(active)}; {describe(useful)[:1].lower()}{describe(useful)[1:]}"
    out.append(f"{adoption}.")
    spend = f["cost_usd"]
    line = f"{describe(spend)}."
    if (
        spend.change is not None
        and spend.change > SPEND_GREW
        and output.change is not None
        and (output.change <= 0 or not output.measurable)
    ):
        line += " Spend grew without a measurable rise in merged PRs per engineer-week."
    out.append(line)
    if lead_.trend:
        (w0, v0), (w1, v1) = lead_.trend
        out.append(
            f"The 4-week trend of cost per merged PR went from {formats.text(v0, 'cost_per_merged_pr')} "
            f"(week of {formats.day(w0)}) to {formats.text(v1, 'cost_per_merged_pr')} (week of {formats.day(w1)})."
        )
    target = formats.pct(lead_.target)
    if lead_.teams_total:
        if lead_.far_off_target:
            out.append(
                f"{len(lead_.far_off_target)} of {lead_.teams_total} teams shown are more than "
                f"{round(FAR_OFF_TARGET * 100)} points below the {target} adoption target in the latest "
                f"week: {_names(lead_.far_off_target)}."
            )
        else:
            out.append(
                f"No team shown is more than {round(FAR_OFF_TARGET * 100)} points below the {target} "
                "adoption target in the latest week."
            )
        if lead_.spend_without_output:
            grew = lead_.spend_without_output
            out.append(
                f"In {len(grew)} {'team' if len(grew) == 1 else 'teams'}, spend grew by more than "
                f"{round(SPEND_GREW * 100)}% without more merged PRs per engineer-week: {_names(grew)}."
            )
    return out


# ---- reading a viewer's view through the privacy facade -----------------------------------------


def person_sentences(weeks: pl.DataFrame, whose: str = "your") -> list[str]:
    """One person's weeks (people.person_weekly: week, used_ai, tokens, merged_prs), the later half
    of the view against the earlier half: for themself or their manager, never a ranking."""
    p = periods(weeks["week"].to_list(), None, None) if weeks.height else None
    if p is None or p.previous is None:
        return [f"Too few weeks of {whose} data to compare one period with the one before."]

    def sums(span: tuple[date, date]) -> tuple[int, int, int]:
        rows = weeks.filter(pl.col("week").is_between(*span))
        return (
            int(rows["used_ai"].fill_null(False).sum()),
            int(rows["tokens"].fill_null(0).sum()),
            int(rows["merged_prs"].fill_null(0).sum()),
        )

    (ai_now, tokens_now, merged_now), (ai_before, tokens_before, merged_before) = (
        sums(p.current),
        sums(p.previous),
    )
    n = p.weeks
    end = formats.day(p.current[1] + timedelta(days=6))
    return [
        f"In the last {n} weeks (to {end}) against the {n} before: AI used in {ai_now} of {n} weeks "
        f"(before: {ai_before}), {formats.compact(tokens_now)} tokens (before: {formats.compact(tokens_before)}), "
        f"{merged_now:,} merged PRs (before: {merged_before:,}).",
        "One person's weeks vary a lot for reasons no figure here sees: context for a conversation, not a score.",
    ]
