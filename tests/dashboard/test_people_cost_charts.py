"""The people-cost charts as pure functions: the share as given, the 50% reference line named as a
claim, tick labels written by pipelines/formats.py, teams in name order, and an empty view said."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.charts.people_cost import share_by_unit, share_over_time
from pipelines import formats
from pipelines.metrics.people_cost import REFERENCE_LABEL

WEEKLY = pl.DataFrame(
    {
        "week": [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)],
        "cost_usd": [100.0, None, 300.0],
        "people_cost_usd": [200_000.0, None, 100_000.0],
        "ai_share_of_people_cost": [0.0005, None, 0.003],
        "suppressed": [False, True, False],
    }
)


def _trace(fig, name_start: str):
    return next(t for t in fig.data if t.name.startswith(name_start))


def test_the_share_over_time_is_drawn_as_given_beside_the_reference() -> None:
    fig = share_over_time(WEEKLY)
    line = _trace(fig, "AI spend")
    assert list(line.y) == [0.0005, 0.003]  # the withheld week is left out, not drawn as 0
    assert line.text[0] == f"2 Mar 2026: {formats.pct(0.0005, 2)} ($100 AI spend of $200,000 people cost)"
    reference = _trace(fig, REFERENCE_LABEL)
    assert list(reference.y) == [0.5, 0.5] and "a claim, not a target" in reference.name
    axis = fig.layout.yaxis
    assert axis.type == "log"
    # ticks as formats.pct writes them, with the decimals a small share needs (never "0.0%")
    assert list(zip(axis.tickvals, axis.ticktext, strict=True)) == [
        (0.0001, formats.pct(0.0001, 2)), (0.001, formats.pct(0.001, 1)), (0.01, "1%"), (0.1, "10%"), (0.5, "50%"), (1.0, "100%")
    ]  # fmt: skip
    assert "not a target" in fig.layout.annotations[0].text and fig.layout.showlegend is False


def test_teams_are_in_name_order_whatever_their_share() -> None:
    units = pl.DataFrame(
        {"team": ["payments", "billing", "catalog"], "ai_share_of_people_cost": [0.002, 0.009, None]}
    )
    fig = share_by_unit(units)
    bars = _trace(fig, "AI spend")
    assert list(bars.y) == ["billing", "payments"]
    assert list(bars.x) == [0.009, 0.002]
    assert list(bars.text) == [formats.pct(0.009, 2), formats.pct(0.002, 2)]
    assert list(_trace(fig, REFERENCE_LABEL).x) == [0.5, 0.5]


def test_a_team_name_is_drawn_as_text_never_as_markup() -> None:
    units = pl.DataFrame({"team": ["<b>ops</b> %{x}"], "ai_share_of_people_cost": [0.01]})
    assert list(_trace(share_by_unit(units), "AI spend").y) == ["&lt;b&gt;ops&lt;/b&gt; &#37;{x}"]


def test_an_empty_view_says_so() -> None:
    for fig in (
        share_over_time(WEEKLY.head(0)),
        share_by_unit(pl.DataFrame({"team": [], "ai_share_of_people_cost": []})),
    ):
        assert fig.data == ()
        assert "No" in fig.layout.annotations[0].text
