"""What a viewer may export: every chart and table of the dashboard, and the leadership review pack.

Everything is read through pipelines.privacy.views with the viewer's rules (scope, k, complementary
suppression), so an export can never show more than the dashboard shows the same viewer. Tables keep
the views' groups; in a suppressed row, a hidden cell and every head count read "fewer than k" in
text, never a number. Per-person rows (tokenmaxxing flags) are never exported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import duckdb
import plotly.graph_objects as go
import polars as pl

from dashboard import charts
from dashboard.charts import analytics as analytics_charts
from dashboard.charts import people_cost as people_cost_charts
from pipelines.metrics import changes, data_quality, people_cost, queries, released, wording
from pipelines.metrics.analytics import Review
from pipelines.metrics.estimates import Estimate
from pipelines.metrics.filters import Filters
from pipelines.metrics.queries import TREND_WEEKS, with_cost_trend
from pipelines.metrics.wording import describe_effect, ten_percent_more_tokens
from pipelines.privacy import views
from pipelines.privacy.suppression import fewer_than
from pipelines.privacy.viewer import AccessDenied, Viewer
from pipelines.report.pack import MethodNote, Pack, Slide
from pipelines.report.summary import Guardrails, ReviewFigures, day, pct, sentences, usd
from pipelines.settings import settings

HEAD_COUNTS = ("people", "people_in_scope", "ai_users")
TEAM_ROWS = 12  # teams (orgs) per chart in exports and the pack: the rest are summed as "other"


class Chart(NamedTuple):
    name: str  # file stem, e.g. "weekly-active-rate"
    title: str
    takeaway: str
    figure: go.Figure


@dataclass(frozen=True)
class Inputs:
    """Everything the exports draw from, read once for one viewer and view."""

    viewer: Viewer
    filters: Filters  # scoped to the viewer
    target: float
    people: int  # people in the view's latest released week
    weekly: pl.DataFrame
    teams: pl.DataFrame
    team_weekly: pl.DataFrame
    # the estimates; None when the view may show none (withheld says why): its released sums still show
    efficiency: views.Efficiency | None
    analytics: Review | None
    lead: changes.Lead | None = None  # what changed against the previous period (the summary's lead)
    withheld: str | None = None


_NO_TEAMS = pl.DataFrame(schema={"team": pl.String, "people": pl.Int64, "suppressed": pl.Boolean})
_NO_TEAM_WEEKS = pl.DataFrame(
    schema={"team": pl.String, "week": pl.Date, "people": pl.Int64, "weekly_active_rate": pl.Float64,
            "suppressed": pl.Boolean}
)  # fmt: skip


def inputs(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> Inputs:
    """Read the view once; AccessDenied for a viewer without aggregates, Withheld for a view under k."""
    if not viewer.sees_aggregates:
        raise AccessDenied(
            f"{viewer.email} ({viewer.role}) sees their own data only; chart exports and the review pack "
            "need a manager, leader, analyst or admin role."
        )
    views.selected_units(con, viewer, filters)  # Withheld for a view of no released aggregate at all
    try:
        view, withheld = views.check_selection(con, viewer, filters), None
    except views.Withheld as error:  # no estimate for this view: its released sums are still shown
        view, withheld = views.scoped(viewer, filters), str(error)
    weekly = views.weekly(con, viewer, filters)
    by_team = not filters.tools  # tools are released for the whole organization only
    top = views.team_level(con, viewer, filters, limit=TEAM_ROWS) if by_team else None
    return Inputs(
        viewer=viewer,
        filters=view,
        target=settings().adoption_target,
        people=released.key_figures(weekly).people_latest or 0,
        weekly=with_cost_trend(weekly),
        teams=top.table if top else _NO_TEAMS,  # the viewer's top level: orgs of their direct reports
        team_weekly=top.weekly if top else _NO_TEAM_WEEKS,
        efficiency=None if withheld else views.efficiency(con, viewer, filters),
        analytics=None if withheld else views.analytics(con, viewer, filters),
        lead=views.lead(con, viewer, filters, settings().adoption_target),
        withheld=withheld,
    )


def charts_for(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, data: Inputs | None = None
) -> list[Chart]:
    """Every dashboard chart of the view, each with a one-line takeaway from its own figures."""
    d = data or inputs(con, viewer, filters)
    k = d.viewer.k
    released_charts = [
        Chart("weekly-active-rate", "Weekly active rate", _adoption(d.weekly, d.target),
              charts.active_rate(d.weekly, d.target)),
        Chart("tokens-and-spend", "Tokens and spend per week", _spend(d.weekly),
              charts.tokens_and_spend(d.weekly)),
        Chart("merged-prs-per-engineer-week", "Merged PRs per engineer-week", _output(d.weekly),
              charts.merged_prs_per_engineer_week(d.weekly)),
        Chart("cost-per-merged-pr", "Cost per merged PR", _cost(d.weekly, TREND_WEEKS),
              charts.cost_per_merged_pr(d.weekly)),
        Chart("teams-side-by-side", "Teams side by side", _teams(d.teams, k),
              charts.team_figures(d.teams, d.target)),
        Chart("team-active-rates", "Weekly active rate by team", _team_rates(d.team_weekly, d.target),
              charts.team_heatmap(d.team_weekly, d.target)),
    ]  # fmt: skip
    if d.efficiency is None or d.analytics is None:  # no estimate for this view (d.withheld says why)
        return released_charts
    eff, a = d.efficiency, d.analytics
    top = eff.top
    return [
        *released_charts[:4],
        Chart("efficiency-curve", "What more tokens come with, by usage decile", eff.sentence,
              charts.efficiency_curve(eff.deciles, top.token_multiple.ci95, top.output_multiple.ci95)),
        Chart("usage-output-density", "Where AI users are: tokens vs merged PRs", _density(eff),
              charts.usage_output_density(eff.density, k)),
        *released_charts[4:],
        Chart("elasticities", "Within-person and pooled elasticities", _within(a),
              analytics_charts.elasticity_comparison(a.elasticities.pooled, a.elasticities.within,
                                                     a.elasticities.within_effort)),
        Chart("adoption-event-study", "Merged PRs around the week people start using AI", _event(a),
              analytics_charts.event_study(a.event_study.effects, a.event_study.average)),
        Chart("cost-per-outcome-by-decile", "AI spend per merged PR and per closed ticket, by usage decile",
              _decile_takeaway(a.costs.by_decile), analytics_charts.cost_per_outcome(a.costs.by_decile, "decile")),
        Chart("guardrails-by-decile", "Quality guardrails by usage decile", _rails(a),
              analytics_charts.guardrails(a.guardrails.by_decile, "decile")),
        Chart("flagged-spend-by-team", "Share of AI spend with a tokenmaxxing signal, by team", _flagged(a),
              analytics_charts.flagged_spend(a.tokenmaxxing.by_team)),
    ]  # fmt: skip


def tables_for(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, data: Inputs | None = None
) -> dict[str, pl.DataFrame]:
    """Every table of the view as the views return it (groups only, suppressed rows kept)."""
    d = data or inputs(con, viewer, filters)
    shown = {"weekly": d.weekly, "teams": d.teams, "team-weekly": d.team_weekly}
    if d.efficiency is None or d.analytics is None:  # no estimate for this view (d.withheld says why)
        return shown
    a = d.analytics
    return shown | {
        "efficiency-deciles": d.efficiency.deciles,
        "usage-output-density": d.efficiency.density,
        "elasticities": estimates_table(a),
        "cost-by-decile": a.costs.by_decile,
        "cost-by-team": a.costs.by_team,
        "cost-overall": a.costs.overall,
        "marginal-cost-within": a.marginal_cost_within,
        "guardrails-by-decile": a.guardrails.by_decile,
        "guardrails-by-team": a.guardrails.by_team,
        "guardrails-overall": a.guardrails.overall,
        "tokenmaxxing-by-team": a.tokenmaxxing.by_team,
    }


def estimates_table(review: Review) -> pl.DataFrame:
    """The headline estimates, one row each, with their intervals (withheld ones are blank)."""
    rows = [
        ("within-person elasticity", review.elasticities.within),
        ("within-person elasticity, controlling for active days", review.elasticities.within_effort),
        ("pooled elasticity", review.elasticities.pooled),
        ("adoption event study, % change after adoption", review.event_study.average),
        ("share of spend flagged as possible tokenmaxxing", review.tokenmaxxing.share),
    ]
    return pl.DataFrame(
        [_estimate_row(name, e) for name, e in rows],
        schema={"estimate": pl.String, "value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
                "observations": pl.Int64, "people": pl.Int64, "method": pl.String},
        orient="row",
    )  # fmt: skip


def _estimate_row(name: str, e: Estimate) -> tuple:
    low, high = e.ci95 if e.ci95 else (None, None)
    shown = e.value is not None
    return (
        name,
        e.value,
        low,
        high,
        e.n if shown else None,
        (e.people or e.groups) if shown else None,
        e.method,
    )


def for_export(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """The frame as a CSV or a page shows it: in suppressed rows every hidden cell and head count
    reads "fewer than k" (those columns become text); the suppressed flag itself stays."""
    if "suppressed" not in frame.columns or not frame["suppressed"].fill_null(True).any():
        return frame
    hidden = pl.col("suppressed").fill_null(True)
    rows = frame.filter(hidden)
    columns = [
        c for c in frame.columns
        if c != "suppressed" and (c in HEAD_COUNTS or rows[c].null_count() > 0)
    ]  # fmt: skip
    text = fewer_than(k)
    return frame.with_columns(
        pl.when(hidden & (pl.col(c).is_null() | pl.lit(c in HEAD_COUNTS)))
        .then(pl.lit(text))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in columns
    )


def figures_for(d: Inputs) -> ReviewFigures:
    """The executive summary's inputs, from shown (not suppressed) weeks and groups only; for a view
    with no estimate, the released sums and why (the summary's headline)."""
    shown = d.weekly.filter(~pl.col("suppressed"))
    person_weeks = int(shown["people_in_scope"].sum()) if shown.height else 0
    spend = float(shown["cost_usd"].sum()) if shown.height else None
    merged = int(shown["merged_prs"].sum()) if shown.height else 0
    start, end = period(d)
    released_figures = ReviewFigures(
        period_start=start,
        period_end=end,
        people_in_view=d.people,
        adoption_target=d.target,
        adoption_weekly=tuple(shown.select("week", "weekly_active_rate").iter_rows()),
        useful_ai_rate=released.key_figures(d.weekly).useful_ai_rate,
        headline=d.withheld or "",
        lead=tuple(d.lead.sentences) if d.lead else (),
        spend_usd=spend,
        spend_per_engineer_week_usd=spend / person_weeks if spend is not None and person_weeks else None,
        merged_prs_per_engineer_week=merged / person_weeks if person_weeks else None,
        headline_efficiency="",
        withheld=d.withheld,
    )
    a = d.analytics
    if a is None or d.efficiency is None:
        return released_figures
    by_decile = a.costs.by_decile
    deciles = (
        tuple(by_decile.sort("decile").select("decile", "cost_per_merged_pr").iter_rows())
        if by_decile.height and not by_decile["suppressed"].any()
        else ()
    )
    overall = a.guardrails.overall
    row = overall.row(0, named=True) if overall.height and not overall["suppressed"][0] else {}
    within, pooled = a.elasticities.within, a.elasticities.pooled
    return replace(
        released_figures,
        headline=wording.headline(within),
        headline_efficiency=d.efficiency.sentence,
        cost_per_merged_pr_by_decile=deciles,
        elasticity=within.value,
        elasticity_ci=within.ci95,
        pooled_elasticity=pooled.value,
        # the analytics report means (ratios of sums), not medians: the median fields stay empty
        guardrails=Guardrails(
            revert_rate=row.get("revert_rate"),
            mean_pr_lines=row.get("lines_per_pr"),
            mean_hours_to_merge=row.get("hours_to_merge"),
            bug_ticket_share=row.get("bug_share"),
        ),
        tokenmaxxing_spend_share=a.tokenmaxxing.share.value,
        tokenmaxxing_spend_share_ci=a.tokenmaxxing.share.ci95,
    )


def period(d: Inputs) -> tuple[date, date]:
    """First Monday and last Sunday of the view."""
    weeks = d.weekly["week"]
    start = d.filters.start or (weeks.min() if weeks.len() else None) or date.today()
    last = d.filters.end or (weeks.max() if weeks.len() else None) or start
    return start, last + timedelta(days=6)


def pack_for(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, data: Inputs | None = None
) -> Pack:
    """The leadership review pack for this viewer and view."""
    d = data or inputs(con, viewer, filters)
    k, a = viewer.k, d.analytics
    slides = [
        Slide(
            title=c.title,
            takeaway=c.takeaway,
            figure=c.figure,
            note=f"Groups under {k} people are not shown.",
        )
        for c in charts_for(con, viewer, filters, d)
        if c.figure.data  # a chart with nothing shown (every group withheld) is a sentence, not a page
    ]
    if a is not None:
        slides += _table_slides(a, lambda frame: for_export(frame, k))
        slides.append(people_cost_slide(con, viewer, filters))
    start, end = period(d)
    return Pack(
        title="AI tokens and engineering output: leadership review",
        subtitle=f"{d.people:,} people in view · {day(start)} to {day(end)} · prepared for {viewer.email}",
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        summary=sentences(figures_for(d)),
        slides=slides,
        methods=(
            [*_method_notes(d.efficiency, a, k), PEOPLE_COST_METHOD]
            if d.efficiency is not None and a is not None
            else [MethodNote("Estimates", f"No estimate is shown for this view: {d.withheld}")]
        ),
        coverage=coverage(con, d),
        footer=f"Aggregates only; groups under {k} people are suppressed. "
        f"Prepared for {viewer.email} ({viewer.role}).",
    )


def people_cost_slide(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> Slide:
    """AI spend against people cost (pipelines/metrics/people_cost.py): the share over time beside the
    50% line Nvidia's CEO named, the two costs per merged PR in the takeaway, the methods in the note."""
    title = "AI spend against people cost"
    figures = views.people_cost(con, viewer, filters)
    if not figures.enabled:
        return Slide(title, people_cost.TURN_ON)
    return Slide(
        title=title,
        takeaway=people_cost.sentence(people_cost.summary(figures)),
        figure=people_cost_charts.share_over_time(figures.weekly),
        note=f"{figures.share_method} The 50% line is a claim by Nvidia's CEO, not a target.",
    )


PEOPLE_COST_METHOD = MethodNote(
    "AI spend against people cost",
    f"Share: {people_cost.SHARE_METHOD} One more merged PR through tokens: {people_cost.MARGINAL_METHOD} "
    f"People cost per merged PR: {people_cost.AVERAGE_METHOD} {people_cost.CAVEAT} {people_cost.REFERENCE_NOTE}",
)


def coverage(con: duckdb.DuckDBPyConnection, d: Inputs) -> list[tuple[str, str]]:
    """The data coverage page: the build, the view, and how every input row was accounted for."""
    info, cov = data_quality.build_info(con), data_quality.coverage(con)
    start, end = period(d)
    scope = "the whole organization" if d.viewer.sees_whole_org else "their own org (everyone below them)"
    rows = [
        ("Prepared for", f"{d.viewer.email} ({d.viewer.role}), who sees {scope}"),
        ("Period in view", f"{day(start)} to {day(end)}"),
        ("Teams and tools", f"{', '.join(d.filters.teams) or 'all teams'}; {', '.join(d.filters.tools) or 'all tools'}"),
        ("People in view", f"{d.people:,}"),
        ("Smallest group shown (k)", f"{d.viewer.k} people; smaller groups read '{fewer_than(d.viewer.k)}'"),
        ("Warehouse built", f"{info.built_at:%d %b %Y %H:%M} UTC, tokenyield {info.version}"),
        ("Warehouse period", f"{day(info.period_start)} to {day(info.period_end)}"),
        ("People with AI telemetry (whole build)", f"{cov.with_ai:,} of {cov.people:,}; {cov.with_tokens:,} with tokens"),
    ]  # fmt: skip
    for r in queries.build_rows(con).iter_rows(named=True):
        rows.append(
            (
                f"Input rows: {r['table_name']}",
                f"{r['rows_read']:,} read = {r['rows_loaded']:,} loaded + {r['rows_quarantined']:,} "
                f"quarantined + {r['rows_duplicate']:,} duplicates",
            )
        )
    return rows


# ---- one-line takeaways: what each chart shows, in words; associations, never causes ----


def _shown(weekly: pl.DataFrame) -> pl.DataFrame:
    return weekly.filter(~pl.col("suppressed")) if weekly.height else weekly


def _adoption(weekly: pl.DataFrame, target: float) -> str:
    shown = _shown(weekly).drop_nulls("weekly_active_rate")
    if shown.is_empty():
        return "No week in this view has enough people to show the active rate."
    week, rate = shown.row(-1, named=True)["week"], shown["weekly_active_rate"][-1]
    side = "at or above" if rate >= target else "below"
    useful = released.key_figures(weekly).useful_ai_rate
    return (
        f"In the week of {day(week)}, {pct(rate)} of people in view used AI, {side} the {pct(target)} "
        f"target (from {pct(shown['weekly_active_rate'][0])} in the first week shown)."
        + (
            f" Useful AI weeks (AI use and output): {pct(useful)} of engineer-weeks."
            if useful is not None
            else ""
        )
    )


def _spend(weekly: pl.DataFrame) -> str:
    shown = _shown(weekly)
    if shown.is_empty():
        return "No week in this view has enough people to show tokens and spend."
    return (
        f"AI spend was {usd(float(shown['cost_usd'].sum()))} over {shown.height} weeks shown, "
        f"{usd(float(shown['cost_usd'][-1] or 0))} in the latest week."
    )


def _output(weekly: pl.DataFrame) -> str:
    shown = _shown(weekly)
    person_weeks = int(shown["people_in_scope"].sum()) if shown.height else 0
    if not person_weeks:
        return "No week in this view has enough people to show merged PRs per engineer-week."
    rate = int(shown["merged_prs"].sum()) / person_weeks
    return f"Engineers in view merged {rate:.2f} PRs per engineer-week over the weeks shown."


def _cost(weekly: pl.DataFrame, weeks: int) -> str:
    shown = _shown(weekly)
    merged = int(shown["merged_prs"].sum()) if shown.height else 0
    if not merged:
        return "No merged PRs in the weeks shown, so there is no cost per merged PR."
    overall = float(shown["cost_usd"].sum()) / merged
    trend = shown["cost_per_merged_pr_rolling"].drop_nulls()
    latest = f"; {usd(trend[-1])} over the last {weeks} weeks" if trend.len() else ""
    return f"AI spend per merged PR was {usd(overall)} over the period (a ratio of totals){latest}."


def _density(eff: views.Efficiency) -> str:
    if eff.density.is_empty():
        return f"Too few AI users with tokens in this view to bin (fewer than {eff.k})."
    cells = eff.density.filter(~pl.col("suppressed"))
    return (
        f"{eff.ai_users:,} AI users binned by mean weekly tokens and merged PRs; {cells.height} cells "
        f"hold {eff.k} or more people, and no person is plotted."
    )


def _teams(teams: pl.DataFrame, k: int) -> str:
    if teams.is_empty():
        return "No teams in this view."
    hidden = int(teams["suppressed"].sum())
    left = f"; {hidden} with nothing released for the period are left out (fewer than {k} people)"
    return f"The top of your view: {teams.height - hidden} orgs and teams, in name order{left if hidden else ''}."


def _team_rates(team_weekly: pl.DataFrame, target: float) -> str:
    if team_weekly.is_empty():
        return "No teams in this view."
    latest = team_weekly.filter(pl.col("week") == pl.col("week").max())
    shown = latest.filter(~pl.col("suppressed")).drop_nulls("weekly_active_rate")
    reached = int((shown["weekly_active_rate"] >= target).sum())
    return (
        f"In the week of {day(latest['week'][0])}, {reached} of the {shown.height} orgs and teams shown were at or "
        f"above the {pct(target)} adoption target."
    )


def _within(a: Review) -> str:
    within, pooled = a.elasticities.within, a.elasticities.pooled
    if within.value is None or not within.ci95:
        return "The within-person estimate is withheld or cannot be estimated for this view."
    text = describe_effect(
        within, "merged PRs in weeks when the same person uses 10% more tokens", fmt=ten_percent_more_tokens
    )
    text += f" Elasticity {within.value:.2f}, 95% interval {within.ci95[0]:.2f} to {within.ci95[1]:.2f}"
    return text + (f"; across people, {pooled.value:.2f}." if pooled.value is not None else ".")


def _event(a: Review) -> str:
    average = a.event_study.average
    if average.value is None or not average.ci95:
        return "Too few people start using AI in this view for the event study."
    said = describe_effect(
        average, "weekly merged PRs after people start using AI, against the imputed path without it"
    )
    return f"{said} An association, not a randomized effect."


def _rails(a: Review) -> str:
    rail = a.guardrails.overall
    if not rail.height or rail["suppressed"][0] or rail["revert_rate"][0] is None:
        return "The quality guardrails are not available for this view."
    return (
        f"Revert rate {pct(rail['revert_rate'][0], 1)}, {rail['lines_per_pr'][0]:,.0f} changed lines and "
        f"{rail['hours_to_merge'][0]:.0f} hours to merge per merged PR (means) across the view."
    )


def _flagged(a: Review) -> str:
    share = a.tokenmaxxing.share
    if share.value is None:
        return "The share of spend with a tokenmaxxing signal is not available for this view."
    span = f" (95% interval {pct(share.ci95[0], 1)} to {pct(share.ci95[1], 1)})" if share.ci95 else ""
    return (
        f"{pct(share.value, 1)} of AI spend{span} falls in weeks where a person's spend jumped well beyond "
        "their own history without the output the organization's curve predicts: a prompt for a "
        "conversation, not a finding about anyone."
    )


def _table_slides(a: Review, shown: Callable[[pl.DataFrame], pl.DataFrame]) -> list[Slide]:
    """The analytics as tables: cost per merged PR by decile, the estimates, the overall guardrails."""
    deciles = a.costs.by_decile.sort("decile") if a.costs.by_decile.height else a.costs.by_decile
    cost_cols = [c for c in ("decile", "people", "cost_per_merged_pr", "cost_per_merged_pr_low",
                             "cost_per_merged_pr_high", "suppressed") if c in deciles.columns]  # fmt: skip
    rail = a.guardrails.overall
    guard_cols = [c for c in rail.columns if not c.endswith(("_low", "_high"))]
    return [
        Slide("Cost per merged PR by usage decile (table)", _decile_takeaway(deciles),
              table=shown(deciles.select(cost_cols)), note=a.costs.caveat),
        Slide("Within-person and pooled estimates (table)", _within(a), table=estimates_table(a).drop("method"),
              note=a.elasticities.why_they_differ),
        Slide("Quality guardrails (table)", _rails(a), table=shown(rail.select(guard_cols)),
              note=a.guardrails.caveat),
    ]  # fmt: skip


def _decile_takeaway(deciles: pl.DataFrame) -> str:
    deciles = deciles.sort("decile") if deciles.height else deciles
    known = (
        deciles.filter(~pl.col("suppressed")).drop_nulls("cost_per_merged_pr") if deciles.height else deciles
    )
    if known.height < 2:
        return "Cost per merged PR by usage decile is not available for this view."
    return (
        f"AI spend per merged PR runs from {usd(known['cost_per_merged_pr'][0])} in the lightest-using decile "
        f"to {usd(known['cost_per_merged_pr'][-1])} in the heaviest: spend intensity, not the price of a PR."
    )


def _method_notes(eff: views.Efficiency, a: Review, k: int) -> list[MethodNote]:
    """Each estimate's method and caveat, then the published figures they are compared with."""
    notes = [
        MethodNote("Privacy", f"Every figure is an aggregate; groups under {k} people are suppressed, with "
                   "complementary suppression where groups add up to a total shown. No person is named or ranked."),
        MethodNote("Associations, not causes", "Every figure describes what happened together. None of them "
                   "says that tokens cause output; the within-person estimate is the closest to it and is still "
                   "an association."),
        MethodNote("Usage deciles", eff.top.token_multiple.method),
        MethodNote("Within-person elasticity", f"{a.elasticities.within.method} {a.elasticities.within.caveat}"),
        MethodNote("Pooled elasticity", f"{a.elasticities.pooled.method} {a.elasticities.pooled.caveat}"),
        MethodNote("Why the two differ", a.elasticities.why_they_differ),
        MethodNote("Cost per outcome", f"{a.costs.method} {a.costs.caveat}"),
        MethodNote("Quality guardrails", f"{a.guardrails.method} {a.guardrails.caveat}"),
        MethodNote("Possible tokenmaxxing", f"{a.tokenmaxxing.method} {a.tokenmaxxing.caveat}"),
        MethodNote("Adoption forecast", "A least-squares line through the latest weeks' active rates, solved "
                   "for the target; the range comes from the slope's 95% interval. A projection, not a commitment."),
    ]  # fmt: skip
    notes += [
        MethodNote(
            f"Published: {r.source}",
            f"{r.finding} ({r.design}). Compare with our {r.ours}. Caveat: {r.caveat}.",
        )
        for r in a.references
    ]
    return notes
