"""Small real figures in the shared theme, a review pack built from them, and one export server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts
from pipelines.report import images
from pipelines.report.pack import MethodNote, Pack, Slide
from pipelines.report.summary import Guardrails, ReviewFigures, sentences

WEEKS = [date(2026, 3, 2) + timedelta(days=7 * i) for i in range(8)]
TARGET = 0.8


@pytest.fixture(scope="session")
def export_server() -> Iterator[images.ExportServer]:
    """The one Chromium for the whole test session; stopped at the end."""
    yield images.server()
    images.stop_server()


def weekly_frame() -> pl.DataFrame:
    rates = [0.42, 0.47, 0.5, 0.55, 0.57, 0.61, 0.64, 0.66]
    people = [50] * 8
    merged = [88, 92, 95, 90, 101, 99, 104, 110]
    cost = [410.0, 450.0, 520.0, 540.0, 600.0, 640.0, 700.0, 720.0]
    return pl.DataFrame(
        {
            "week": WEEKS,
            "people_in_scope": people,
            "ai_users": [round(r * p) for r, p in zip(rates, people, strict=True)],
            "weekly_active_rate": rates,
            "tokens": [c * 40_000 for c in cost],
            "cost_usd": cost,
            "merged_prs": merged,
            "merged_prs_per_engineer_week": [m / p for m, p in zip(merged, people, strict=True)],
            "cost_per_merged_pr": [c / m for c, m in zip(cost, merged, strict=True)],
            "cost_per_merged_pr_rolling": [c / m for c, m in zip(cost, merged, strict=True)],
        }
    )


def deciles_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "decile": list(range(1, 11)),
            "people": [3] * 10,
            "token_multiple": [0.1, 0.2, 0.3, 0.5, 1.0, 1.5, 2.0, 4.0, 6.0, 10.0],
            "output_multiple": [0.5, 0.6, 0.7, 0.8, 1.0, 1.1, 1.2, 1.4, 1.6, 2.0],
            "cost_per_merged_pr": [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
        }
    )


def teams_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "team": ["web", "analytics", "ci"],
            "people": [20, 12, 18],
            "active_rate_latest": [0.6, 0.9, 0.5],
            "tokens": [9_000_000, 1_000_000, 5_000_000],
            "cost_usd": [900.0, 100.0, 500.0],
            "merged_prs_per_engineer_week": [2.0, 2.5, 1.25],
            "cost_per_merged_pr": [2.25, 1 / 3, 2.5],
        }
    )


def sample_figures() -> list[tuple[str, go.Figure]]:
    """Ten dashboard charts on small hand-made frames (groups only: no person anywhere)."""
    weekly, deciles = weekly_frame(), deciles_frame()
    team_weekly = pl.concat([weekly.with_columns(team=pl.lit(t)) for t in ("web", "analytics", "ci")])
    return [
        ("Weekly active rate", charts.active_rate(weekly, TARGET)),
        ("Tokens and spend", charts.tokens_and_spend(weekly)),
        ("Merged PRs per engineer-week", charts.merged_prs_per_engineer_week(weekly)),
        ("Cost per merged PR", charts.cost_per_merged_pr(weekly)),
        ("Efficiency curve", charts.efficiency_curve(deciles, (6.0, 14.0), (1.6, 2.5))),
        ("Efficiency curve without intervals", charts.efficiency_curve(deciles)),
        ("Teams side by side", charts.team_figures(teams_frame(), TARGET)),
        ("Active rate per team", charts.team_heatmap(team_weekly, TARGET)),
        ("Active rate, 60% target", charts.active_rate(weekly, 0.6)),
        ("An empty view", charts.active_rate(weekly.clear(), TARGET)),
    ]


def review_figures() -> ReviewFigures:
    weekly = weekly_frame()
    return ReviewFigures(
        period_start=WEEKS[0],
        period_end=WEEKS[-1] + timedelta(days=6),
        people_in_view=50,
        adoption_target=TARGET,
        adoption_weekly=tuple(weekly.select("week", "weekly_active_rate").iter_rows()),
        spend_usd=float(weekly["cost_usd"].sum()),
        spend_per_engineer_week_usd=float(weekly["cost_usd"].sum()) / 400,
        merged_prs_per_engineer_week=float(weekly["merged_prs"].sum()) / 400,
        headline_efficiency="The heaviest-using tenth of AI users use 10× the median's tokens "
        "and merge 2.0× its PRs (95% interval 1.6× to 2.5×)",
        cost_per_merged_pr_by_decile=tuple(
            deciles_frame().select("decile", "cost_per_merged_pr").iter_rows()
        ),
        elasticity=0.12,
        elasticity_ci=(0.05, 0.19),
        pooled_elasticity=0.31,
        guardrails=Guardrails(revert_rate=0.021, mean_pr_lines=118, mean_hours_to_merge=19.5),
        tokenmaxxing_spend_share=0.034,
    )


def make_pack(slide_count: int = 4) -> Pack:
    """A pack with slide_count chart slides (cycling through the samples) and one table slide."""
    figures = sample_figures()
    slides = [
        Slide(
            title=title,
            takeaway=f"Takeaway {i + 1}: {title.lower()} in one line a leader can repeat",
            figure=fig,
            note="Groups of fewer than 5 people are not shown.",
        )
        for i, (title, fig) in enumerate(figures[i % len(figures)] for i in range(slide_count))
    ]
    slides.append(
        Slide(
            title="Cost per merged PR by usage decile",
            takeaway="Spend per merged PR rises with usage decile",
            table=deciles_frame().select("decile", "people", "cost_per_merged_pr"),
        )
    )
    return Pack(
        title="AI tokens and engineering output",
        subtitle="Example Org · viewer lead@example.com · 2 Mar to 26 Apr 2026",
        generated_at=datetime(2026, 4, 27, 9, 30),
        summary=sentences(review_figures()),
        slides=slides,
        methods=[
            MethodNote("Adoption", "A person is active in a week when any AI tool reports use that week."),
            MethodNote(
                "Within-person estimate", "A fixed-effects regression of log merged PRs on log tokens."
            ),
            MethodNote(
                "Caveat", "Associations, not causes: teams that adopt early may differ in other ways."
            ),
        ],
        coverage=[("People in view", "50"), ("Weeks", "8"), ("AI usage rows", "12,345")],
        footer="Aggregates only; groups under 5 people are suppressed.",
    )


@pytest.fixture
def pack_factory() -> Callable[[int], Pack]:
    return make_pack
