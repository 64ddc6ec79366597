"""Every figure a viewer may see, and nothing more: the privacy rules applied where data is read.

The dashboard (dashboard/data.py) and every export (`tokenyield export-charts`, `tokenyield
report`) read the warehouse only through these functions. Each takes the Viewer and:
- scopes the population: leaders, analysts and admins see the whole organization, a manager sees
  their own org (every level below them) and only as aggregates, an individual no aggregates;
- withholds a filtered view whose people, or whose complement in the viewer's scope, number
  fewer than k (so two views cannot be subtracted to isolate someone);
- suppresses every group under k people, with complementary suppression where groups add up to
  a total that is also shown;
- shows a person's own rows only to that person and to their direct manager, and records each
  such view in the audit log;
- never returns a table of named people ordered by tokens, spend or output.

check_selection(), weekly() and guardrails() also take a Rollup (rollup()): the marts summed once
per team and week for the viewer, from which a new team or period selection is a sum. It changes
where the counts come from, never a rule: every check and suppression below runs on them as on the
counts the queries give, and a filter the rollup cannot answer exactly goes to the queries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import polars as pl

from pipelines.db import frame, one
from pipelines.metrics import agent_work as agent_figures
from pipelines.metrics import analytics as analytics_review
from pipelines.metrics import headline, queries
from pipelines.metrics import rollup as rollups
from pipelines.metrics.analytics.guardrails import overall as overall_guardrails
from pipelines.metrics.filters import ORG_BELOW, Filters
from pipelines.metrics.rollup import Rollup
from pipelines.privacy import suppression
from pipelines.privacy.viewer import AccessDenied, Viewer

WEEK_KEEP = ("week", "people_in_scope", "suppressed")
TEAM_KEEP = ("team",)


class Withheld(AccessDenied):
    """The whole view is withheld; the message tells the reader why, in words."""


def scoped(viewer: Viewer, filters: Filters) -> Filters:
    """The filters with the viewer's aggregate scope put in (a page's `within` is ignored)."""
    return replace(filters, within=viewer.aggregate_root)


def _people(
    con: duckdb.DuckDBPyConnection, filters: Filters, expression: str = "count(distinct person_key)"
) -> int:
    sql, params = filters.person_week_sql()
    return int(one(con, f"with pw as ({sql}) select {expression} from pw", params)[0] or 0)


def rollup(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    panel: pl.DataFrame | None = None,
    totals: rollups.Totals | None = None,
) -> Rollup:
    """The viewer's Rollup: the warehouse's person-weeks summed per team and week (`totals`, made
    once per warehouse, or here), the same over the viewer's scope and the people they see one by
    one; `panel`, analytics.panel() of the viewer's scope over every week, is kept in it for
    guardrails(). Only the viewer's own calls may use it (_summed checks)."""
    return rollups.rollup(con, viewer.aggregate_root, viewer.visible_people(), panel, totals)


def _summed(rollup: Rollup | None, viewer: Viewer, view: Filters) -> Rollup | None:
    """The rollup when it answers this scoped view exactly and was built for this viewer."""
    if rollup is None or rollup.seen != viewer.visible_people() or not rollup.serves(view):
        return None
    return rollup


def check_selection(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, rollup: Rollup | None = None
) -> Filters:
    """The scoped filters, or Withheld when the view (or what it leaves out) is under k people."""
    view = scoped(viewer, filters)
    k = viewer.k
    whole = replace(view, teams=(), tools=())
    summed = _summed(rollup, viewer, whole)  # head counts over teams and weeks: any tool filter

    def people(counted: Filters, unseen: bool = False) -> int:
        if summed is not None:
            return summed.people_count(counted, unseen)
        if not unseen:
            return _people(con, counted)
        # people in the org the viewer does not see one by one (person_keys are hex: safe to inline)
        seen = ", ".join(f"'{key}'" for key in viewer.visible_people())
        return _people(con, counted, f"count(distinct person_key) filter (where person_key not in ({seen}))")

    in_scope = people(whole)
    if in_scope < k:
        raise Withheld(f"Fewer than {k} people are in your scope for this period, so no figure can be shown.")
    if view.within and viewer.visible_people():
        deeper = people(whole, unseen=True)
        if 0 < deeper < k:
            raise Withheld(
                f"Fewer than {k} people in your org sit below your direct reports: its totals minus the "
                "people you see one by one would reveal them, so only My data and My team are shown."
            )
    if view.teams:
        selected = people(replace(whole, teams=view.teams))
        if not suppression.selection_allowed(selected, in_scope, k):
            raise Withheld(
                f"This team selection covers, or leaves out, fewer than {k} people; comparing it with the "
                "whole would reveal them. Choose more teams, or all."
            )
    if view.tools:
        base = replace(view, tools=())
        sql, params = base.person_week_sql()
        marks = ", ".join("?" for _ in view.tools)
        chosen, others = one(
            con,
            f"""with pw as ({sql}),
            used as (select t.person_key, t.tool in ({marks}) as chosen from fct_person_week_tools t
                     semi join pw on pw.person_key = t.person_key and pw.week = t.week
                     where t.ai_rows > 0)
            select count(distinct person_key) filter (where chosen),
                   count(distinct person_key) filter (where not chosen) from used""",
            [*params, *view.tools],
        )
        if (0 < chosen < k) or (0 < others < k):
            raise Withheld(
                f"Fewer than {k} people use the chosen tools, or the other tools, in this view; "
                "their usage would be revealed. Choose more tools, or all."
            )
    return view


def teams(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> list[str]:
    """Teams a viewer may filter by: in their scope, with at least k people over the period."""
    view = scoped(viewer, Filters())
    sql, params = view.person_week_sql()
    rows = con.execute(
        f"with pw as ({sql}) select team from pw group by team having count(distinct person_key) >= ? order by team",
        [*params, viewer.k],
    ).fetchall()
    return [r[0] for r in rows]


USAGE = ("tokens", "cost_usd", "unpriced_tokens", "cost_per_merged_pr")


def _complements(
    con: duckdb.DuckDBPyConnection,
    view: Filters,
    by: str,
    k: int,
    visible: tuple[str, ...] = (),
    summed: Rollup | None = None,
) -> pl.DataFrame:
    """Per `by` (week or team): could another allowed view be subtracted from this one to leave
    fewer than k people, or fewer than k users of some tools? Returns `by`, hide_all, hide_usage.

    The views compared with this one: the whole organization; the whole of the teams this view
    touches (what a leader sees of them); a manager's own org without the filters; the people
    the viewer sees one by one (themself, direct reports), whose rows subtract from any total;
    and, with a tool filter, the same people's use of the other tools. Per week the counts are
    sums, so a rollup that serves the view (_summed) gives them."""
    if summed is not None and by == "week":
        table = _summed_counts(summed, view)
    else:
        table = _complement_counts(con, view, by, visible)

    def small(column: str) -> pl.Expr:
        return (pl.col(column) > 0) & (pl.col(column) < k)

    hide_all = small("c1_people") | small("c2_people") | small("c3_people")
    hide_usage = small("c1_chosen") | small("c2_chosen") | small("c3_chosen")
    if visible:
        hide_all = hide_all | small("c4_people")
        hide_usage = hide_usage | small("c4_chosen")
    if view.tools:
        hide_usage = hide_usage | small("c1_other") | small("c2_other") | small("c3_other") | small("v_other")
    return table.select(by, hide_all=hide_all, hide_usage=hide_usage | hide_all)


def _complement_counts(
    con: duckdb.DuckDBPyConnection, view: Filters, by: str, visible: tuple[str, ...]
) -> pl.DataFrame:
    """Per `by`, the head counts _complements compares with k, from the marts."""
    period = replace(Filters(), start=view.start, end=view.end)
    universe, u_params = period.person_week_sql()

    # who is in this view: the universe's rows that pass the view's teams and scope (its tools
    # change what is summed, not who is counted)
    in_view, view_params = ["true"], []
    if view.teams:
        in_view.append(f"u.team in ({', '.join('?' for _ in view.teams)})")
        view_params += list(view.teams)
    if view.within:
        in_view.append(f"u.person_key in ({ORG_BELOW})")
        view_params.append(view.within)
    org, org_params = ("false", []) if not view.within else (f"m.person_key in ({ORG_BELOW})", [view.within])
    seen = f"m.person_key in ({', '.join('?' for _ in visible)})" if visible else "false"
    if view.tools:  # who used the chosen tools, and who the others, each person-week
        marks = ", ".join("?" for _ in view.tools)
        uses = (
            f", uses as (select person_key, week, bool_or(tool in ({marks})) as chosen, "
            f"bool_or(tool not in ({marks})) as other from fct_person_week_tools "
            "where ai_rows > 0 group by all)"
        )
        uses_params = [*view.tools, *view.tools]
        joined = "left join uses x on x.person_key = m.person_key and x.week = m.week"
        chosen, other = "coalesce(x.chosen, false)", "coalesce(x.other, false)"
    else:  # no tool filter: any AI use that week, from the person-week mart itself
        uses, uses_params, joined, chosen, other = "", [], "", "m.ai_rows > 0", "false"
    # a person has one row per week, so per week a row count is a head count (and far cheaper)
    distinct = "count(*)" if by == "week" else "count(distinct person_key)"
    counts = ", ".join(
        f"{distinct} filter (where {where}) as {name}"
        for name, where in {
            "c1_people": "not in_view",
            "c1_chosen": "not in_view and chosen",
            "c1_other": "not in_view and other",
            "c2_people": "not in_view and in_view_teams",
            "c2_chosen": "not in_view and in_view_teams and chosen",
            "c2_other": "not in_view and in_view_teams and other",
            "c3_people": "not in_view and in_org",
            "c3_chosen": "not in_view and in_org and chosen",
            "c3_other": "not in_view and in_org and other",
            "v_other": "in_view and other",
            "c4_people": "in_view and not seen",
            "c4_chosen": "in_view and not seen and chosen",
        }.items()
    )
    return frame(
        con,
        f"""with
        marked as (select u.person_key, u.team, u.week, u.ai_rows, {" and ".join(in_view)} as in_view
                   from ({universe}) u),
        view_teams as (select distinct team from marked where in_view){uses},
        cells as (
            select m.person_key, m.team, m.week, m.in_view,
                   m.team in (select team from view_teams) as in_view_teams,
                   {org} as in_org,
                   {seen} as seen,
                   {chosen} as chosen, {other} as other
            from marked m {joined}
        )
        select {by}, {counts} from cells group by all""",
        [*view_params, *u_params, *uses_params, *org_params, *visible],
    )


def _summed_counts(summed: Rollup, view: Filters) -> pl.DataFrame:
    """_complement_counts(con, view, "week", visible) from a rollup that serves the view. With no
    tool filter, "chosen" is any AI use and no one uses "other" tools. Per week a row count is a
    head count, and the view is part of the teams it touches, of the org and of everyone, so each
    complement is a difference of sums: everyone minus the view (c1), the view's teams minus the
    view (c2), the org minus the view (c3), the view minus the people seen one by one (c4)."""
    in_view = summed.in_view(view)
    everyone = summed.everyone(view)
    view_teams = everyone.filter(pl.col("team").is_in(in_view["team"].unique().implode()))
    parts = {"all": everyone, "view": in_view, "teams": view_teams, "seen": summed.seen_in_view(view)}
    if view.within:
        parts["org"] = summed.in_scope(view)
    weeks = everyone.select("week").unique()
    for name, cells in parts.items():
        sums = cells.group_by("week").agg(
            pl.col("person_weeks").sum().alias(f"{name}_people"),
            pl.col("ai_person_weeks").sum().alias(f"{name}_chosen"),
        )
        weeks = weeks.join(sums, on="week", how="left")
    weeks = weeks.fill_null(0)
    none = pl.lit(0, pl.Int64)

    def minus(whole: str, part: str, count: str) -> pl.Expr:
        return pl.col(f"{whole}_{count}") - pl.col(f"{part}_{count}")

    counts = {}
    for count in ("people", "chosen"):
        counts[f"c1_{count}"] = minus("all", "view", count)
        counts[f"c2_{count}"] = minus("teams", "view", count)
        counts[f"c3_{count}"] = minus("org", "view", count) if view.within else none
        counts[f"c4_{count}"] = minus("view", "seen", count)
    others = {f"{name}_other": none for name in ("c1", "c2", "c3", "v")}
    return weeks.select("week", **counts, **others)


def weekly(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, rollup: Rollup | None = None
) -> pl.DataFrame:
    """queries.weekly() for the viewer. A week is blanked when it holds fewer than k people, and
    its usage (tokens, spend) when fewer than k AI users make it; so is any week another allowed
    view could be subtracted from to leave fewer than k people or AI users (_complements).
    `rollup`: the viewer's rollup(), which gives the same figures and counts as sums."""
    view = check_selection(con, viewer, filters, rollup)
    summed = _summed(rollup, viewer, view)
    frame_ = summed.weekly(view) if summed is not None else queries.weekly(con, view)
    if frame_.is_empty():
        return frame_.with_columns(suppressed=pl.lit(False))
    k = viewer.k
    frame_ = frame_.join(
        _complements(con, view, "week", k, viewer.visible_people(), summed), on="week", how="left"
    ).with_columns(pl.col("hide_all", "hide_usage").fill_null(False))
    small = (pl.col("people_in_scope") < k) | pl.col("hide_all")
    few_users = (pl.col("ai_users") > 0) & (pl.col("ai_users") < k) | pl.col("hide_usage")
    return (
        frame_.with_columns(
            *[
                pl.when(small).then(None).otherwise(pl.col(c)).alias(c)
                for c in frame_.columns
                if c not in (*WEEK_KEEP, "hide_all", "hide_usage")
            ],
        )
        .with_columns(
            *[pl.when(few_users).then(None).otherwise(pl.col(c)).alias(c) for c in USAGE],
            suppressed=small | few_users,
        )
        .drop("hide_all", "hide_usage")
    )


def teams_table(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """One row per team in view. A team under k people is suppressed, and its usage when fewer
    than k AI users make it; so is a row another allowed view could be subtracted from to leave
    fewer than k people (_complements); then complementary suppression on people and on AI users,
    so the rows never subtract from the total to reveal a group under k."""
    view = check_selection(con, viewer, filters)
    k = viewer.k
    table = queries.teams_table(con, view).sort("team")
    if table.is_empty():
        return suppression.cells(table, k, TEAM_KEEP)
    sql, params = view.person_week_sql()
    users = frame(
        con,
        f"with pw as ({sql}) select team, count(distinct person_key) filter (where ai_rows > 0) as ai_users "
        "from pw group by team",
        params,
    )
    table = (
        table.join(users, on="team", how="left")
        .join(_complements(con, view, "team", k, viewer.visible_people()), on="team", how="left")
        .with_columns(pl.col("hide_all", "hide_usage").fill_null(False))
        .with_columns(
            people=pl.when(pl.col("hide_all")).then(0).otherwise(pl.col("people")),
            ai_users=pl.when(pl.col("hide_usage") | pl.col("hide_all")).then(1).otherwise(pl.col("ai_users")),
        )
        .drop("hide_all", "hide_usage")
    )
    # usage first: rows whose AI users are under k (and their complements) lose tokens and spend
    keep_for_usage = tuple(c for c in table.columns if c not in USAGE)
    usage_checked = suppression.complementary(
        table.with_columns(ai_users=pl.when(pl.col("ai_users") == 0).then(k).otherwise(pl.col("ai_users"))),
        k,
        keep_for_usage,
        people="ai_users",
    ).drop("suppressed")
    people_checked = suppression.complementary(usage_checked, k, TEAM_KEEP)
    return people_checked.drop("ai_users")


def team_weekly(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each team's weekly figures; in each week, complementary suppression across the teams."""
    view = check_selection(con, viewer, filters)
    sql, params = view.person_week_sql()
    table = frame(
        con,
        f"""with pw as ({sql})
        select team, week, count(*) as people,
               count(*) filter (where ai_rows > 0) / count(*) as weekly_active_rate,
        from pw group by team, week order by week, team""",
        params,
    )
    return suppression.complementary_by(table, viewer.k, "week", ("team", "week"))


@dataclass(frozen=True)
class Efficiency:
    """headline.Efficiency for a viewer: binned density instead of per-person means."""

    density: pl.DataFrame  # x_low, x_high (log10 tokens), y_low, y_high (merged PRs), people, suppressed
    deciles: pl.DataFrame
    top: headline.estimates.TopDecile
    elasticity: headline.estimates.Estimate
    sentence: str
    ai_users: int
    k: int


def efficiency(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> Efficiency:
    view = check_selection(con, viewer, filters)
    eff = headline.efficiency(con, view)
    k = viewer.k
    deciles, top, sentence = eff.deciles, eff.top, eff.sentence
    if deciles.height and int(deciles["people"].min()) < k:
        # deciles are (almost) equal in size: one under k means every one is; nothing is shown
        deciles = deciles.with_columns(
            *[pl.lit(None, deciles[c].dtype).alias(c) for c in deciles.columns if c != "decile"],
            suppressed=pl.lit(True),
        )
        empty = headline.estimates.Estimate(None, None, 0, 0, top.token_multiple.method)
        top = headline.estimates.TopDecile(empty, empty)
        sentence = f"Too few AI users in this view for deciles of at least {k} people."
    elasticity = (
        eff.elasticity if eff.elasticity.groups >= k else replace(eff.elasticity, value=None, ci95=None)
    )
    return Efficiency(
        density=density(eff.means, k),
        deciles=deciles,
        top=top,
        elasticity=elasticity,
        sentence=sentence,
        ai_users=eff.means.height,
        k=k,
    )


def density(means: pl.DataFrame, k: int, x_step: float = 0.25, y_bins: int = 10) -> pl.DataFrame:
    """AI users counted in cells of log10(mean weekly tokens) x mean weekly merged PRs.

    The axes span the 2nd to 98th percentile (people beyond sit in the edge cells), so no axis
    end is one person's value; cells under k people are suppressed."""
    users = means.filter(pl.col("mean_weekly_tokens") > 0)
    schema = {
        "x_low": pl.Float64,
        "x_high": pl.Float64,
        "y_low": pl.Float64,
        "y_high": pl.Float64,
        "people": pl.Int64,
        "suppressed": pl.Boolean,
    }
    if users.height < k:
        return pl.DataFrame(schema=schema)
    x = np.log10(users["mean_weekly_tokens"].to_numpy().astype(float))
    y = users["mean_weekly_merged_prs"].to_numpy().astype(float)
    x_lo, x_hi = np.quantile(x, [0.02, 0.98])
    y_hi = float(np.quantile(y, 0.98)) or 1.0
    x_edges = np.arange(
        math.floor(x_lo / x_step) * x_step, math.ceil(x_hi / x_step) * x_step + x_step / 2, x_step
    )
    if len(x_edges) < 2:
        x_edges = np.array([x_edges[0], x_edges[0] + x_step])
    y_step = _nice_step(y_hi / y_bins)
    y_edges = np.arange(0.0, (math.floor(y_hi / y_step) + 1) * y_step + y_step / 2, y_step)
    xi = np.clip(np.searchsorted(x_edges, x, side="right") - 1, 0, len(x_edges) - 2)
    yi = np.clip(np.searchsorted(y_edges, y, side="right") - 1, 0, len(y_edges) - 2)
    counts = pl.DataFrame({"xi": xi, "yi": yi}).group_by("xi", "yi").len("people")
    out = counts.with_columns(
        x_low=pl.col("xi").map_elements(lambda i: float(x_edges[i]), return_dtype=pl.Float64),
        x_high=pl.col("xi").map_elements(lambda i: float(x_edges[i + 1]), return_dtype=pl.Float64),
        y_low=pl.col("yi").map_elements(lambda i: float(y_edges[i]), return_dtype=pl.Float64),
        y_high=pl.col("yi").map_elements(lambda i: float(y_edges[i + 1]), return_dtype=pl.Float64),
        people=pl.col("people").cast(pl.Int64),
    ).sort("xi", "yi")
    return suppression.cells(
        out.select("x_low", "x_high", "y_low", "y_high", "people"), k, ("x_low", "x_high", "y_low", "y_high")
    )


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


# ---- person-level views: the viewer themself and their direct reports, audited ----


def person_weekly(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    person_key: str,
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """One person's weeks: only for themself or their direct manager."""
    if not viewer.may_see_person(person_key):
        raise AccessDenied("You can see your own data and your direct reports' data only.")
    where, params = ["person_key = ?"], [person_key]
    if start:
        where.append("week >= ?")
        params.append(start)
    if end:
        where.append("week <= ?")
        params.append(end)
    return frame(
        con,
        f"""select week, ai_rows > 0 as used_ai, total_tokens as tokens,
                   cost_micro_usd / {queries.MICRO} as cost_usd, merged_prs, closed_tickets,
                   ai_active_days
            from fct_person_weeks where {" and ".join(where)} order by week""",
        params,
    )


def direct_reports(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pl.DataFrame:
    """The viewer's direct reports with their totals, in name order (never ranked by a figure)."""
    if not viewer.reports:
        return pl.DataFrame(schema={"person_key": pl.String, "name": pl.String, "team": pl.String})
    marks = ", ".join("?" for _ in viewer.reports)
    return frame(
        con,
        f"""select p.person_key, p.name, p.team,
                   count(pw.week) as weeks, count(pw.week) filter (where pw.ai_rows > 0) as weeks_with_ai,
                   coalesce(sum(pw.total_tokens), 0)::bigint as tokens,
                   coalesce(sum(pw.cost_micro_usd), 0) / {queries.MICRO} as cost_usd,
                   coalesce(sum(pw.merged_prs), 0)::bigint as merged_prs
            from dim_people p left join fct_person_weeks pw using (person_key)
            where p.person_key in ({marks})
            group by all order by p.name, p.person_key""",
        list(viewer.reports),
    )


def person_name(con: duckdb.DuckDBPyConnection, viewer: Viewer, person_key: str) -> str:
    if not viewer.may_see_person(person_key):
        raise AccessDenied("You can see your own data and your direct reports' data only.")
    row = one(con, "select name from dim_people where person_key = ?", [person_key])
    return row[0] if row else person_key


# ---- the analytics of docs/methods.md, for a viewer ----

LABELS = ("decile", "team", "event_time", "family", "formula", "parameters", "best", "spend")


def _groups(table: pl.DataFrame, k: int) -> pl.DataFrame:
    """Suppress a table of groups: by team with complementary suppression, by decile all-or-none
    (deciles are equal in size), anything else cell by cell."""
    if "people" not in table.columns or table.is_empty():
        return table
    keep = tuple(c for c in LABELS if c in table.columns)
    if "team" in table.columns:
        return suppression.complementary(table.sort("team"), k, keep)
    if "decile" in table.columns and int(table["people"].min()) < k:
        return suppression.cells(table.with_columns(people=pl.lit(0, table["people"].dtype)), k, keep)
    return suppression.cells(table, k, keep)


def _estimate(estimate: headline.estimates.Estimate, k: int) -> headline.estimates.Estimate:
    people = estimate.people if estimate.people is not None else estimate.groups
    return estimate if people >= k else replace(estimate, value=None, ci95=None)


def analytics(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> analytics_review.Review:
    """pipelines.metrics.analytics.review() for a viewer: every table of groups suppressed under k
    people, estimates over fewer than k people withheld, and tokenmaxxing flags on individuals
    kept only for people the viewer may see (themself, their direct reports), in name-free form."""
    view = check_selection(con, viewer, filters)
    review = analytics_review.review(con, view)
    k = viewer.k

    def tables(obj: object) -> object:
        changes = {
            name: _groups(value, k) if isinstance(value, pl.DataFrame) else _estimate(value, k)
            for name, value in vars(obj).items()
            if isinstance(value, pl.DataFrame | headline.estimates.Estimate)
        }
        return replace(obj, **changes)

    flags = review.tokenmaxxing.people
    visible = flags.filter(pl.col("person_key").is_in(list(viewer.visible_people())))
    return replace(
        review,
        elasticities=tables(review.elasticities),
        event_study=tables(review.event_study),
        cohorts=tables(review.cohorts),
        curves=replace(review.curves, marginal=_groups(review.curves.marginal, k))
        if review.curves.people >= k
        else replace(
            review.curves,
            fits=review.curves.fits.clear(),
            marginal=review.curves.marginal.clear(),
            points=review.curves.points.clear(),
            best=None,
        ),
        costs=tables(review.costs),
        marginal_cost_within=_groups(review.marginal_cost_within, k),
        guardrails=tables(review.guardrails),
        tokenmaxxing=replace(tables(review.tokenmaxxing), people=visible.sort("person_key")),
    )


def elasticities(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters
) -> analytics_review.Elasticities:
    """Only the pooled and within-person elasticities (what the Efficiency page shows), for a viewer."""
    view = check_selection(con, viewer, filters)
    fitted = analytics_review.elasticities(analytics_review.panel(con, view))
    k = viewer.k
    return replace(
        fitted,
        pooled=_estimate(fitted.pooled, k),
        within=_estimate(fitted.within, k),
        within_effort=_estimate(fitted.within_effort, k),
    )


SUMMARY_GROUPS = {  # summary keys over a group of people, and the head count that group has
    "top_decile_token_multiple": "top_decile",
    "top_decile_token_multiple_ci95": "top_decile",
    "top_decile_output_multiple": "top_decile",
    "top_decile_output_multiple_ci95": "top_decile",
}


AGENT_KEYS = (
    "agent_merged_prs_total",
    "agent_merged_pr_share",
    "agent_merged_pr_share_ci95",
    "merged_without_human_review_total",
    "merged_without_human_review_share",
)


def agent_work(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters
) -> agent_figures.AgentWork | None:
    """pipelines.metrics.agent_work for a viewer: None when fewer than k people are credited with
    agent PRs in view; weeks, origins (agent vs human, all-or-none) and agents under k suppressed."""
    view = check_selection(con, viewer, filters)
    work = agent_figures.agent_work(con, view)
    k = viewer.k
    if work.agent_people < k or work.people < k:
        return None
    return replace(
        work,
        weekly=suppression.cells(work.weekly, k, ("week",), people="agent_people"),
        by_origin=suppression.complementary(work.by_origin, k, ("origin",)),
        by_agent=suppression.complementary(work.by_agent, k, ("agent",)),
    )


def summary_for(figures: dict[str, object], viewer: Viewer) -> dict[str, object]:
    """headline.summary() (computed on the viewer's scoped, checked filters) for a viewer: the
    top-decile figures go when a decile holds fewer than k people, every estimate when fewer than
    k people are in view; the viewer and k are stated."""
    shown = dict(figures)
    ai_users = int(shown.get("ai_users") or 0)
    if ai_users // 10 < viewer.k:
        for key in SUMMARY_GROUPS:
            shown[key] = None
        shown["headline"] = f"Too few AI users in this view for deciles of at least {viewer.k} people."
    if int(shown.get("agent_people") or 0) < viewer.k:  # agent work is shown for k people or more
        for key in AGENT_KEYS:
            shown[key] = None
    if int(shown.get("people") or 0) < viewer.k:
        shown = {key: (None if isinstance(value, int | float) else value) for key, value in shown.items()}
    shown["viewer"] = {"email": viewer.email, "role": viewer.role, "k": viewer.k}
    return shown


def guardrails(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: Filters,
    overall_only: bool = False,
    rollup: Rollup | None = None,
) -> analytics_review.Guardrails:
    """The quality guardrails alone (shown beside every throughput figure), for a viewer;
    `overall_only`: the one row of the whole view (by team and by decile left empty); `rollup`:
    the viewer's rollup(), whose panel of the scope holds the view's rows."""
    view = check_selection(con, viewer, filters, rollup)
    summed = _summed(rollup, viewer, view)
    if summed is not None and summed.panel is not None:
        panel = rollups.panel_of(summed.panel, view)
    else:
        panel = analytics_review.panel(con, view)
    if overall_only:
        row = overall_guardrails(panel)
        fitted = analytics_review.Guardrails(by_decile=row.clear(), by_team=row.clear(), overall=row)
    else:
        fitted = analytics_review.guardrails(panel)
    k = viewer.k
    return replace(
        fitted,
        by_decile=_groups(fitted.by_decile, k),
        by_team=_groups(fitted.by_team, k),
        overall=_groups(fitted.overall, k),
    )
