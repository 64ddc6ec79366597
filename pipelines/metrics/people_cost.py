"""What tokens cost against what people cost: the figures of docs/metrics.md "People cost".

Every figure is a sum of released cells (pipelines/privacy/release.py writes `people_cost_usd` per
unit-week, released exactly where the cell's headcount is), or comes from the fitted spend-output
curve (pipelines/metrics/analytics/curves.py). One definition each, read by the Efficiency page,
`summary --json` and the pack:

- AI spend as a share of people cost, per week and per unit: AI spend over people cost, both
  summed over the same cells (those whose spend is released);
- the marginal cost of one more merged PR through tokens, at the median AI user's spend;
- the average people cost per merged PR, over the cells whose headcount is released.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import polars as pl

from pipelines import formats
from pipelines.db import run
from pipelines.inputs import UNBANDED_CHECK
from pipelines.metrics.analytics.curves import CurveFits, curves, marginal_cost, spend_output_means

MICRO = 1_000_000  # micro-dollars per dollar
COLUMN = "people_cost_usd"

REFERENCE_SHARE = 0.5
REFERENCE_LABEL = "Nvidia's CEO: half of salary in tokens"
REFERENCE_NOTE = (
    "Reference line: Nvidia's CEO said in 2026 that an engineer should consume about half their salary "
    "in tokens. It is his claim, shown for comparison; tokenyield does not endorse it as a target."
)
SHARE_METHOD = (
    "AI spend ÷ people cost, both summed over the same released unit-weeks (those whose spend is shown); "
    "people cost = headcount × the unit's average yearly loaded cost band ÷ 52."
)
MARGINAL_METHOD = (
    "1 ÷ the slope of the best-fitting curve of weekly merged PRs on weekly spend (Methods: diminishing "
    "returns) at the median AI user's spend (midway between the 5th and 6th spend deciles' medians); "
    "95% interval by the delta method."
)
AVERAGE_METHOD = (
    "People cost ÷ merged PRs over the unit-weeks whose headcount is released. It charges all of people's work "
    "to PRs, so it overstates what a PR costs in people; an average, not a price."
)
CAVEAT = (
    "These are associations across people and weeks, not causes: the curve says what spend comes with, "
    "not what one more dollar of tokens would buy, and the two costs per PR are not interchangeable."
)
TURN_ON = (
    "People cost is off: no cost bands were loaded. Put a `cost_bands.csv` (columns `level`, "
    "`annual_loaded_cost` in USD per year, one row per level in people.csv) in the input folder and "
    "run `tokenyield build`. Bands are per level, never per person."
)

WEEKLY_SCHEMA = {
    "week": pl.Date,
    "cost_usd": pl.Float64,
    "people_cost_usd": pl.Float64,
    "ai_share_of_people_cost": pl.Float64,
    "suppressed": pl.Boolean,
}


@dataclass(frozen=True)
class Marginal:
    """The marginal cost of one more merged PR through tokens (USD), at `weekly_spend` (USD)."""

    value: float | None
    ci95: tuple[float, float] | None
    weekly_spend: float | None
    curve: str | None  # the best curve's family
    method: str = MARGINAL_METHOD


@dataclass(frozen=True)
class PeopleCost:
    enabled: bool  # cost bands were loaded
    weekly: pl.DataFrame  # WEEKLY_SCHEMA, one row per week in view
    units: pl.DataFrame  # team, people_cost_usd, cost_usd, ai_share_of_people_cost, merged_prs,
    # people_cost_per_merged_pr
    share: float | None  # AI spend over people cost, over the view
    cost_usd: float  # AI spend in the cells of `share`
    people_cost_usd: float  # people cost in the cells of `share`
    merged_prs: int  # merged PRs in the cells of the average
    people_cost_per_merged_pr: float | None
    marginal: Marginal
    unbanded_people: int | None = None  # people whose level has no band (whole roster, from the build)
    reference_share: float = REFERENCE_SHARE
    share_method: str = SHARE_METHOD
    average_method: str = AVERAGE_METHOD
    caveat: str = CAVEAT


def enabled(cells: pl.DataFrame) -> bool:
    """Whether the release carries people cost (a build with cost bands)."""
    return COLUMN in cells.columns and cells[COLUMN].is_not_null().any()


def _paired(cells: pl.DataFrame) -> pl.Expr:
    """Cells whose spend and people cost are both released: the share's numerator and denominator."""
    return pl.col("released_usage") & pl.col(COLUMN).is_not_null()


def _sums(cells: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    paired = _paired(cells)
    costed = pl.col("released_people") & pl.col(COLUMN).is_not_null()
    return cells.group_by(by).agg(
        cost_usd=pl.when(paired).then(pl.col("cost_micro_usd")).otherwise(0).sum() / MICRO,
        people_cost_usd=pl.when(paired).then(pl.col(COLUMN)).otherwise(0.0).sum(),
        any_paired=paired.any(),
        costed_people_cost=pl.when(costed).then(pl.col(COLUMN)).otherwise(0.0).sum(),
        merged_prs=pl.when(costed).then(pl.col("merged_prs")).otherwise(0).sum(),
        any_costed=costed.any(),
    )


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator))


def weekly(cells: pl.DataFrame, weeks: Sequence[date] = ()) -> pl.DataFrame:
    """One row per week: AI spend, people cost and their ratio over the week's paired cells."""
    if cells.is_empty() or COLUMN not in cells.columns:
        out = pl.DataFrame(schema=WEEKLY_SCHEMA)
    else:
        out = _sums(cells, ["week"]).select(
            "week",
            pl.when("any_paired").then(pl.col("cost_usd")).alias("cost_usd"),
            pl.when("any_paired").then(pl.col("people_cost_usd")).alias("people_cost_usd"),
            pl.when("any_paired")
            .then(_ratio("cost_usd", "people_cost_usd"))
            .alias("ai_share_of_people_cost"),
            (~pl.col("any_paired")).alias("suppressed"),
        )
    if weeks:
        frame = pl.DataFrame({"week": list(weeks)}, schema={"week": pl.Date})
        out = frame.join(out, on="week", how="left").with_columns(pl.col("suppressed").fill_null(True))
    return out.select(list(WEEKLY_SCHEMA)).cast(WEEKLY_SCHEMA).sort("week")


UNIT_COLUMNS = (  # units(): one row per unit, these columns (the Efficiency page's table too)
    "team",
    "people_cost_usd",
    "cost_usd",
    "ai_share_of_people_cost",
    "merged_prs",
    "people_cost_per_merged_pr",
)


def units(cells: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """One row per unit over the period, in name order (never by a figure). `labels`: release_unit, team."""
    if cells.is_empty() or COLUMN not in cells.columns:  # units never released are listed, blank
        return pl.DataFrame(schema={c: pl.String if c == "team" else pl.Float64 for c in UNIT_COLUMNS})
    sums = _sums(cells.rename({"unit_key": "release_unit"}), ["release_unit"])
    table = labels.join(sums, on="release_unit", how="inner")
    return table.select(
        "team",
        pl.when("any_costed").then(pl.col("costed_people_cost")).alias("people_cost_usd"),
        pl.when("any_paired").then(pl.col("cost_usd")).alias("cost_usd"),
        pl.when("any_paired").then(_ratio("cost_usd", "people_cost_usd")).alias("ai_share_of_people_cost"),
        pl.when("any_costed").then(pl.col("merged_prs")).cast(pl.Float64).alias("merged_prs"),
        pl.when("any_costed")
        .then(_ratio("costed_people_cost", "merged_prs"))
        .alias("people_cost_per_merged_pr"),
    ).sort("team")


def fit_curve(panel: pl.DataFrame) -> CurveFits:
    """The spend-output curve of a panel (analytics.panel()), fitted on rows in an order set by the
    data alone: a least-squares fit stops within a tolerance, so rows read in another order (person
    keys differ from one warehouse's pseudonym key to another's) would move the marginal cost from
    one build of the same input to the next."""
    means = spend_output_means(panel.sort("person_key", "week"))
    return curves(means.sort("mean_weekly_spend", "mean_weekly_merged_prs"))


def marginal_at_median(fits: CurveFits) -> Marginal:
    """d spend / d merged PRs of the best curve at the median AI user's weekly spend, taken midway
    between the 5th and 6th spend deciles' medians (figures the deciles table already shows, so no
    one person's spend); None when the curve or those deciles are withheld or the curve is flat."""
    table = fits.marginal
    if fits.best is None or not fits.parameters or table.is_empty() or "decile" not in table.columns:
        return Marginal(None, None, None, fits.best)
    middle = table.filter(pl.col("decile").is_in([5, 6]))["median_weekly_spend"].drop_nulls()
    if middle.len() < 2:
        return Marginal(None, None, None, fits.best)
    spend = float(middle.mean())  # type: ignore[arg-type]
    params = np.array(fits.parameters, dtype=float)
    cov = np.array(fits.covariance, dtype=float) if fits.covariance else np.full((len(params),) * 2, np.nan)
    value, interval = marginal_cost(fits.best, spend, params, cov)
    ci95 = (float(interval[0]), float(interval[1])) if interval else None
    return Marginal(value, ci95, spend, fits.best)


def figures(
    cells: pl.DataFrame,
    labels: pl.DataFrame,
    fits: CurveFits,
    weeks: Sequence[date] = (),
    unit_cells: pl.DataFrame | None = None,
    unbanded_people: int | None = None,
) -> PeopleCost:
    """Every people-cost figure of a view: `cells` are the view's released cells (the organization's
    own cells for a whole-organization view), `unit_cells` the units' cells for the units table
    (default: `cells`), `labels` the units' names (release_unit, team)."""
    on = enabled(cells)
    unit_cells = cells if unit_cells is None else unit_cells
    totals = (
        _sums(cells.with_columns(view=pl.lit(1)), ["view"]).row(0, named=True)
        if on and cells.height
        else None
    )
    if totals is None:
        return PeopleCost(
            on, weekly(cells, weeks), units(unit_cells, labels), None, 0.0, 0.0, 0, None,
            marginal_at_median(fits), unbanded_people,
        )  # fmt: skip
    merged = int(totals["merged_prs"])
    return PeopleCost(
        enabled=on,
        weekly=weekly(cells, weeks),
        units=units(unit_cells, labels),
        share=totals["cost_usd"] / totals["people_cost_usd"] if totals["people_cost_usd"] > 0 else None,
        cost_usd=float(totals["cost_usd"]),
        people_cost_usd=float(totals["people_cost_usd"]),
        merged_prs=merged,
        people_cost_per_merged_pr=float(totals["costed_people_cost"]) / merged if merged else None,
        marginal=marginal_at_median(fits),
        unbanded_people=unbanded_people,
    )


def unbanded_people(con: duckdb.DuckDBPyConnection) -> int | None:
    """People whose level has no cost band, as the build's quality check counted them."""
    found = run(
        con, "select unexpected_count from validation_results where check_name = ? limit 1", [UNBANDED_CHECK]
    )
    return int(found[0][0]) if found and found[0][0] is not None else None


def summary(figures_: PeopleCost) -> dict[str, object]:
    """The `people_cost` block of `summary --json`: numbers as numbers, methods as text."""
    if not figures_.enabled:
        return {"enabled": False, "how_to_turn_on": TURN_ON}
    m = figures_.marginal
    return {
        "enabled": True,
        "ai_spend_share_of_people_cost": figures_.share,
        "ai_spend_usd": figures_.cost_usd,
        "people_cost_usd": figures_.people_cost_usd,
        "reference_share": figures_.reference_share,
        "reference": REFERENCE_NOTE,
        "people_cost_per_merged_pr_usd": figures_.people_cost_per_merged_pr,
        "merged_prs": figures_.merged_prs,
        "marginal_token_cost_per_merged_pr_usd": m.value,
        "marginal_token_cost_per_merged_pr_ci95": list(m.ci95) if m.ci95 else None,
        "marginal_at_weekly_spend_usd": m.weekly_spend,
        "people_without_cost_band": figures_.unbanded_people,
        "methods": {
            "ai_share_of_people_cost": figures_.share_method,
            "marginal_token_cost": m.method,
            "people_cost_per_merged_pr": figures_.average_method,
        },
        "caveat": figures_.caveat,
    }


def sentence(block: dict[str, object]) -> str:
    """The people-cost figures in one or two plain sentences (the summary's `people_cost` block)."""
    if not block.get("enabled"):
        return str(block.get("how_to_turn_on", TURN_ON))
    share = block.get("ai_spend_share_of_people_cost")
    marginal = block.get("marginal_token_cost_per_merged_pr_usd")
    ci = block.get("marginal_token_cost_per_merged_pr_ci95")
    average = block.get("people_cost_per_merged_pr_usd")
    interval = f" (95% interval {formats.usd(ci[0])} to {formats.usd(ci[1])})" if isinstance(ci, list) else ""
    return (
        f"AI spend was {formats.pct(share, 2) if isinstance(share, float) else '–'} of people cost "
        f"(reference: {formats.pct(REFERENCE_SHARE)}, a claim by Nvidia's CEO, not a target). "
        f"One more merged PR came with {formats.usd(marginal if isinstance(marginal, float) else None)} "
        f"more tokens at the median spend{interval}, against "
        f"{formats.usd(average if isinstance(average, float) else None)} of people cost per merged PR on average."
    )
