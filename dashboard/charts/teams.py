"""The Teams charts: one level of the org tree (orgs and teams) side by side, always in name order.

Both charts draw at most PAGE_ROWS rows at ROW_PX each, so a figure's height is bounded whatever
the organization's size: the page shows a level page by page, and the exports group the rows beyond
a readable number into "other" (pipelines/metrics/org_levels.py). A row with no released figure
in the period is left out of the bars (the page says how many); a withheld cell of the heatmap is
drawn grey, with its reason on hover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard import theme
from dashboard.charts.common import empty
from dashboard.text import html_all
from pipelines import formats

PAGE_ROWS = 40  # rows per figure: a level with more is shown a page at a time
ROW_PX = 28  # px per row: a 13 px label with room to spare
TEAM_PANELS: tuple[str, ...] = (  # the table's columns drawn as bars, one panel each
    "active_rate_latest",
    "tokens",
    "cost_usd",
    "merged_prs_per_engineer_week",
    "cost_per_merged_pr",
)
WITHHELD = "#C9CCD1"  # a withheld cell: light grey, distinct from the lightest blue
RATE_SCALE = [[0.0, "#EAF2FA"], [0.5, "#6BAED6"], [1.0, "#08306B"]]  # 0% light to 100% dark


def _panel_title(column: str) -> str:
    """The column's plain header on at most two lines (a panel is a fifth of the width)."""
    words = formats.label(column).split()
    if len(" ".join(words)) <= 16:
        return " ".join(words)
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return " ".join(words[:cut]) + "<br>" + " ".join(words[cut:])


def _ticks(largest: float, column: str) -> tuple[list[float], list[str]]:
    """0 and one round value at most `largest` (a panel is narrow: two labels never touch), or 0%,
    50%, 100% for a rate; written as formats writes the column."""
    if formats.kind(column) == "pct":
        values = [0.0, 0.5, 1.0]
    else:
        largest = largest if largest > 0 else 1.0
        magnitude = 10 ** math.floor(math.log10(largest))
        values = [0.0, max(m * magnitude for m in (1, 2, 2.5, 5) if m * magnitude <= largest)]
    return values, [_tick(v, column) for v in values]


def _tick(value: float, column: str) -> str:
    """A short tick label in the column's format: 0, 50%, 20B, $25K, $2.00, 1.50."""
    if value == 0:
        return "0"
    if formats.kind(column) == "usd":
        return "$" + formats.compact(value)
    return formats.text(value, column)


def _height(rows: int) -> int:
    return 170 + ROW_PX * max(rows, 4)


def team_figures(teams: pl.DataFrame, target: float) -> go.Figure:
    """The key figures per row (org or team) as bars, one panel each, rows in name order (never by
    a figure); rows with nothing released in the period are left out."""
    hidden = pl.col("suppressed") if "suppressed" in teams.columns else pl.lit(False)
    shown = teams.filter(~hidden).sort("team") if teams.height else teams
    fig = make_subplots(
        rows=1,
        cols=len(TEAM_PANELS),
        shared_yaxes=True,
        horizontal_spacing=0.03,
        subplot_titles=[_panel_title(column) for column in TEAM_PANELS],
    )
    fig.update_layout(
        template=theme.NAME,
        # pinned to the top of the figure, clear of the panels' two-line titles at any height
        title={
            "text": f"Side by side (dashed: the {formats.pct(target)} adoption target)",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 14},
        },
        showlegend=False,
    )
    if shown.is_empty():
        fig.layout.annotations = ()  # no panel titles over an empty chart: its message alone
        return empty(fig, "No data released for any team in this view")
    names = html_all(shown["team"].to_list())  # data: drawn as text, never as markup
    for col, column in enumerate(TEAM_PANELS, start=1):
        values = shown[column].to_list()
        fig.add_bar(
            x=values,
            y=names,
            orientation="h",
            name=formats.label(column),
            marker_color=theme.PALETTE[col - 1],
            text=[formats.text(v, column) for v in values],
            textposition="outside",
            textfont={"size": 12},
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra>" + formats.label(column) + "</extra>",
            row=1,
            col=col,
        )
        largest = max((v for v in values if v is not None), default=0.0)
        if column == "active_rate_latest":
            largest = max(largest, target, 1.0)
        ticks, labels = _ticks(largest, column)
        fig.update_xaxes(
            tickvals=ticks,
            ticktext=labels,
            tickfont={"size": 12},
            tickangle=0,
            showgrid=True,
            range=[0, max(largest, ticks[-1]) * 1.5],
            row=1,
            col=col,
        )
    fig.add_vline(x=target, line={"color": theme.VERMILLION, "dash": "dash", "width": 2}, row=1, col=1)
    fig.update_yaxes(autorange="reversed", type="category", dtick=1, showgrid=False)
    fig.update_annotations(font_size=13, yshift=6)
    fig.update_layout(height=_height(len(names)), margin={"t": 124, "r": 30}, bargap=0.3)
    return fig


def _cell_text(row: dict[str, object], name: str) -> str:
    week = formats.day(row["week"])  # type: ignore[arg-type]
    rate = row.get("weekly_active_rate")
    if rate is None:
        why = row.get("reason") or "withheld"
        return f"{name}, week of {week}: not shown ({why})"
    text = f"{name}, week of {week}: {formats.pct(rate)} active"  # type: ignore[arg-type]
    people = row.get("people")
    if people is not None:
        text += f" of {formats.count(people)} people"  # type: ignore[arg-type]
    withheld = row.get("teams_withheld") or 0
    if withheld:
        text += (
            f"<br>{withheld} of its teams withheld that week ({row.get('reason')}); the rate is of the rest"
        )
    return text


def team_heatmap(team_weekly: pl.DataFrame, target: float, teams: Sequence[str] | None = None) -> go.Figure:
    """The weekly active rate of each row (org or team) x week, rows in name order (never by a
    figure). A withheld cell is grey, with the reason on hover. `teams`: the rows to draw (a page)."""
    fig = go.Figure()
    fig.update_layout(
        template=theme.NAME,
        title={
            "text": f"Weekly active rate by team (target {formats.pct(target)})",
            "subtitle": {
                "text": "grey: not shown for privacy, hover for why",
                "font": {"size": 13, "color": theme.GREY},
            },
        },
    )
    rows = sorted(team_weekly["team"].unique().to_list()) if team_weekly.height else []
    if teams is not None:
        rows = [t for t in rows if t in set(teams)]
    if not rows:
        return empty(fig)
    frame = team_weekly.filter(pl.col("team").is_in(rows))
    weeks = sorted(frame["week"].unique().to_list())
    names = html_all(rows)  # data: drawn as text, never as markup
    at = {(r["team"], r["week"]): r for r in frame.iter_rows(named=True)}
    rate: list[list[float | None]] = []
    grey: list[list[float | None]] = []
    hover: list[list[str]] = []
    for raw, name in zip(rows, names, strict=True):
        cells = [at.get((raw, w)) for w in weeks]
        rate.append([c["weekly_active_rate"] if c else None for c in cells])
        grey.append([1.0 if c and c["weekly_active_rate"] is None else None for c in cells])
        hover.append([_cell_text(c, name) if c else f"{name}: nobody in this team that week" for c in cells])
    short = len(rows) < 8  # a short colour bar has room for fewer labels
    steps = (0, 0.5, 1) if short else (0, 0.25, 0.5, 0.75, 1)
    ticks = [v for v in steps if abs(v - target) >= (0.25 if short else 0.15)]  # none over the target's
    common = {"x": weeks, "y": names, "customdata": hover, "xgap": 1, "ygap": 1}
    fig.add_heatmap(
        z=grey,
        colorscale=[[0, WITHHELD], [1, WITHHELD]],
        showscale=False,
        hovertemplate="%{customdata}<extra></extra>",
        name="not shown",
        **common,
    )
    fig.add_heatmap(
        z=rate,
        zmin=0,
        zmax=1,
        colorscale=RATE_SCALE,
        colorbar={
            "title": {"text": "active", "side": "right"},  # beside the bar, clear of its top tick
            "tickvals": [*ticks, target],
            "ticktext": [formats.pct(v) for v in ticks] + [f"target {formats.pct(target)}"],
            "len": min(1.0, 300 / (ROW_PX * len(rows) + 40)),
            "yanchor": "top",
            "y": 1,
        },
        hovertemplate="%{customdata}<extra></extra>",
        name="weekly active rate",
        **common,
    )
    fig.update_yaxes(autorange="reversed", type="category", dtick=1, showgrid=False, ticks="")
    fig.update_xaxes(tickformat="%-d %b", showgrid=False)
    fig.update_layout(height=_height(len(rows)), margin={"t": 96})
    return fig
