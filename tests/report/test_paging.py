"""Long charts over pages: bars of many named groups in windows, tall pictures cut between rows."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import polars as pl
from PIL import Image

from dashboard.charts import analytics as analytics_charts
from pipelines.report.images import png_size, png_slices
from pipelines.report.paging import windows
from tests.report.test_images import decoded


def flagged(teams: int) -> pl.DataFrame:
    names = [f"team-{i:04d}" for i in range(teams)]
    share = [i / teams / 10 for i in range(teams)]
    return pl.DataFrame(
        {
            "team": names,
            "people": [7] * teams,
            "flagged_share": share,
            "flagged_share_low": [s / 2 for s in share],
            "flagged_share_high": [s * 2 for s in share],
        }
    )


def test_many_named_columns_print_as_windows_of_level_bars_naming_every_group() -> None:
    fig = analytics_charts.flagged_spend(flagged(40))
    parts, named = windows(fig, most=16)
    assert named == 40 and len(parts) == 3
    shown = [name for part in parts for name in part.data[0].y]
    assert shown == sorted(flagged(40)["team"].to_list())  # all of them, in name order, once
    assert all(part.data[0].orientation == "h" for part in parts)
    assert len(parts[0].data[0].error_x.array) == 16  # the intervals travel with their bars
    assert parts[-1].layout.title.text.endswith("(33–40 of 40)")
    assert parts[0].layout.yaxis.autorange == "reversed"  # the first name on top


def test_a_chart_of_a_few_groups_or_of_no_groups_stays_as_it_is() -> None:
    few = analytics_charts.cost_per_outcome(
        pl.DataFrame(
            {
                "decile": [1, 2],
                "people": [5, 5],
                **{
                    f"cost_per_{o}{e}": [1.0, 2.0]
                    for o in ("merged_pr", "closed_ticket")
                    for e in ("", "_low", "_high")
                },
            }
        ),
        "decile",
    )
    assert windows(few, most=16) == ([few], 0)


def test_a_tall_picture_is_cut_in_the_gaps_never_through_ink() -> None:
    rows = np.full((1000, 200), 255, dtype=np.uint8)
    for top in range(20, 1000, 50):  # a 30-pixel "label" every 50 pixels, gaps of 20
        rows[top : top + 30, 10:190] = 0
    rows[:, 100] = 0  # a gridline through everything: no row is entirely blank
    out = BytesIO()
    Image.fromarray(rows).save(out, format="PNG")
    parts, whole = png_slices(out.getvalue(), most=300, pieces=10)
    assert whole and sum(png_size(p)[1] for p in parts) == 1000
    assert all(png_size(p)[1] <= 300 for p in parts)
    cuts = np.cumsum([png_size(p)[1] for p in parts])[:-1]
    assert all((cut - 20) % 50 >= 30 for cut in cuts), cuts  # each cut falls in a gap
    assert decoded(parts[0]).std() > 10


def test_only_the_first_parts_when_the_picture_needs_more_pages() -> None:
    out = BytesIO()
    Image.fromarray(np.full((1000, 50), 255, dtype=np.uint8)).save(out, format="PNG")
    parts, whole = png_slices(out.getvalue(), most=300, pieces=2)
    assert not whole and len(parts) == 2
