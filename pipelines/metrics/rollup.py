"""The person-week mart summed once per team and week, so that a new team or period is a sum.

A dashboard viewer changes the team and period filters far more often than the warehouse changes.
Every person-week row has one team and one week, so queries.weekly() for any selection of teams
and weeks, and the head counts per week that the privacy layer compares, are sums of per (team,
week) sums. Head counts over a period are not sums (a person spans weeks), so each person keeps
their first and last week per team: when those weeks run without a gap, "has a week in the
period" follows from them alone.

`Totals` holds these for the whole warehouse (made once, shared by every viewer); `Rollup` adds
what one viewer's scope needs: the same sums over the org the scope covers, over the people the
viewer sees one by one, and the scope's panel. It answers only what it answers exactly (`serves`):
no tool filter (tools change what is summed per person-week), the scope it was built for, and a
mart without null teams or gaps; everything else goes to the queries on the marts.
tests/privacy/test_rollup.py compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from pipelines.db import frame, one
from pipelines.metrics.filters import ORG_BELOW, Filters
from pipelines.metrics.queries import MICRO

SUMMED = ("tokens", "cost_micro_usd", "unpriced_tokens", "merged_prs", "closed_tickets")
COUNTED = "count(*) as person_weeks, count(*) filter (where ai_rows > 0) as ai_person_weeks"


@dataclass(frozen=True, eq=False)
class Totals:
    """The whole warehouse, summed."""

    # team, week, person_weeks, ai_person_weeks (ai_rows > 0), and the SUMMED sums
    cells: pl.DataFrame
    # person_key, team, first_week, last_week: one row per person and team
    people: pl.DataFrame
    exact: bool  # no null team, and every person's weeks in a team run without a gap


@dataclass(frozen=True, eq=False)
class Rollup:
    """Totals, and the same sums for one viewer's scope."""

    within: str | None  # the scope's Filters.within: the org's root person_key, None = everyone
    seen: tuple[str, ...]  # the people the viewer sees one by one
    totals: Totals
    org: pl.DataFrame | None  # Totals.cells over the org's people (None: the scope is everyone)
    org_people: pl.Series | None  # the org's person_keys
    seen_cells: pl.DataFrame  # team, week, in_org, person_weeks, ai_person_weeks of the seen people
    # analytics.panel() of the scope over every week (None: not kept); a view's panel is its rows
    panel: pl.DataFrame | None = None

    def serves(self, filters: Filters) -> bool:
        """Whether this rollup gives exactly what the queries on the marts give for `filters`."""
        return self.totals.exact and not filters.tools and filters.within == self.within

    def everyone(self, filters: Filters) -> pl.DataFrame:
        """The cells of everyone in the filters' weeks: the universe the views compare with."""
        return _in_period(self.totals.cells, filters)

    def in_scope(self, filters: Filters) -> pl.DataFrame:
        """The cells of the scope in the filters' weeks (every team)."""
        return _in_period(self.org if self.org is not None else self.totals.cells, filters)

    def in_view(self, filters: Filters) -> pl.DataFrame:
        """The cells of the filters' weeks, teams and scope."""
        cells = self.in_scope(filters)
        return cells.filter(pl.col("team").is_in(list(filters.teams))) if filters.teams else cells

    def seen_in_view(self, filters: Filters) -> pl.DataFrame:
        """The seen people's cells of the filters' weeks, teams and scope."""
        cells = _in_period(self.seen_cells, filters)
        if filters.teams:
            cells = cells.filter(pl.col("team").is_in(list(filters.teams)))
        return cells.filter("in_org") if filters.within else cells

    def weekly(self, filters: Filters) -> pl.DataFrame:
        """queries.weekly(con, filters), from the sums."""
        summed = (
            self.in_view(filters)
            .group_by("week")
            .agg(
                pl.col("person_weeks").sum().alias("people_in_scope"),
                pl.col("ai_person_weeks").sum().alias("ai_users"),
                *[pl.col(c).sum() for c in SUMMED],
            )
            .sort("week")
        )
        people, merged = summed["people_in_scope"].to_numpy(), summed["merged_prs"].to_numpy()
        cost_usd = _divide(summed["cost_micro_usd"].to_numpy(), MICRO)
        return summed.select(
            "week",
            "people_in_scope",
            "ai_users",
            weekly_active_rate=_divide(summed["ai_users"].to_numpy(), people),
            tokens="tokens",
            cost_usd=cost_usd,
            unpriced_tokens="unpriced_tokens",
            merged_prs="merged_prs",
            merged_prs_per_engineer_week=_divide(merged, people),
            closed_tickets="closed_tickets",
            cost_per_merged_pr=pl.when(pl.col("merged_prs") > 0).then(_divide(cost_usd.to_numpy(), merged)),
        )

    def people_count(self, filters: Filters, unseen: bool = False) -> int:
        """count(distinct person_key) over the filters' person-weeks (teams, weeks, scope);
        `unseen`: only people the viewer does not see one by one."""
        people = self.totals.people
        if filters.teams:
            people = people.filter(pl.col("team").is_in(list(filters.teams)))
        if self.org_people is not None:  # serves(): the filters' scope is this org
            people = people.filter(pl.col("person_key").is_in(self.org_people.implode()))
        if unseen:
            people = people.filter(~pl.col("person_key").is_in(list(self.seen)))
        # a person's weeks run from first_week in steps of 7 days: the first one on or after the
        # period's start must also fall on or before its end (and their last week)
        first = pl.col("first_week")
        if filters.start:
            behind = (pl.lit(filters.start) - first).dt.total_days().clip(lower_bound=0)
            first = first + pl.duration(days=(behind + 6) // 7 * 7)
        keep = first <= pl.col("last_week")
        if filters.end:
            keep &= first <= pl.lit(filters.end)
        return people.filter(keep)["person_key"].n_unique()


def totals(con: duckdb.DuckDBPyConnection) -> Totals:
    """fct_person_weeks summed per team and week, and each person's first and last week per team."""
    sums = ", ".join(f"sum({'total_tokens' if c == 'tokens' else c})::bigint as {c}" for c in SUMMED)
    cells = frame(
        con, f"select team, week, {COUNTED}, {sums} from fct_person_weeks group by all order by week, team"
    )
    people = frame(
        con,
        """select person_key, team, min(week) as first_week, max(week) as last_week, count(*) as person_weeks
        from fct_person_weeks group by all""",
    )
    gapless = people.filter(
        pl.col("person_weeks") != (pl.col("last_week") - pl.col("first_week")).dt.total_days() // 7 + 1
    ).is_empty()
    (null_teams,) = one(con, "select count(*) from fct_person_weeks where team is null")
    return Totals(cells=cells, people=people.drop("person_weeks"), exact=gapless and not null_teams)


def rollup(
    con: duckdb.DuckDBPyConnection,
    within: str | None,
    seen: tuple[str, ...] = (),
    panel: pl.DataFrame | None = None,
    summed: Totals | None = None,
) -> Rollup:
    """The sums for the scope `within` (None: everyone) and the people in `seen`, on the
    warehouse's Totals (`summed`: made here when not given); `panel`: analytics.panel() of the
    scope over every week, kept when its rows are the scope's person-weeks."""
    summed = summed or totals(con)
    sums = ", ".join(f"sum({'total_tokens' if c == 'tokens' else c})::bigint as {c}" for c in SUMMED)
    org = org_people = None
    in_org, in_org_params = "false", []
    if within:
        org_people = frame(con, ORG_BELOW, [within])["person_key"]
        org = frame(
            con,
            f"""select team, week, {COUNTED}, {sums} from fct_person_weeks
            where person_key in ({ORG_BELOW}) group by all order by week, team""",
            [within],
        )
        in_org, in_org_params = f"person_key in ({ORG_BELOW})", [within]
    marks = ", ".join("?" for _ in seen) or "null"
    seen_cells = frame(
        con,
        f"""select team, week, {in_org} as in_org, {COUNTED} from fct_person_weeks
        where person_key in ({marks}) group by all""",
        [*in_org_params, *seen],
    )
    scope = org if org is not None else summed.cells
    if panel is not None and panel.height != scope["person_weeks"].sum():
        panel = None  # not the scope's panel over every week: guardrails() reads the marts
    return Rollup(within, tuple(seen), summed, org, org_people, seen_cells, panel)


def _in_period(cells: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    keep = pl.lit(True)
    if filters.start:
        keep &= pl.col("week") >= filters.start
    if filters.end:
        keep &= pl.col("week") <= filters.end
    return cells.filter(keep)


def _divide(numerator: np.ndarray, denominator: np.ndarray | int) -> pl.Series:
    """numerator / denominator in float64, rounded as DuckDB's `/` rounds it. Not polars: it
    divides 782535424 by a column (or scalar) of 1,000,000 to 782.5354239999999, DuckDB to
    782.535424. A zero denominator gives inf or null; callers drop those rows (merged PRs > 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.asarray(numerator, dtype=np.float64) / np.asarray(denominator, dtype=np.float64)
    return pl.Series(quotient, dtype=pl.Float64, nan_to_null=True)


def panel_of(scope_panel: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """analytics.panel(con, filters) from the panel of the filters' whole scope over every week:
    its rows in the filters' weeks and teams (each row's figures, and a person's adoption week,
    do not depend on which other rows are in view). Only without a tool filter."""
    rows = _in_period(scope_panel, filters)
    return rows.filter(pl.col("team").is_in(list(filters.teams))) if filters.teams else rows
