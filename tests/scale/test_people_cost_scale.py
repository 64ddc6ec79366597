"""People cost at every organization size (30, 500, 3,000, 10,000 people; the demo writes
cost_bands.csv): released exactly where headcount is, the leader's figures equal to sums over the
released organization cells, teams in name order, and the figures computed in interactive time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.metrics import people_cost
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import resolve

SECONDS = 20.0  # the figures of one view, the curve fit included, on the 2-core test machine


def test_people_cost_at_every_org_size(scale_db: Path) -> None:
    con = duckdb.connect(str(scale_db), read_only=True)
    try:
        for table in ("release_unit_weeks", "release_org_weeks"):
            (mismatched,) = con.execute(
                f"select count(*) from {table} where (people_cost_usd is null) <> (not released_people)"
            ).fetchone()
            assert mismatched == 0, table
        viewer = resolve(con, "demo-leader")
        started = time.perf_counter()
        figures = views.people_cost(con, viewer, Filters())
        seconds = time.perf_counter() - started
        spend, cost = con.execute(
            "select sum(cost_micro_usd) / 1e6, sum(people_cost_usd) from release_org_weeks "
            "where released_usage and people_cost_usd is not null"
        ).fetchone()
        units, released = con.execute(
            "select count(distinct unit_key), count(distinct unit_key) filter (where released_people) "
            "from release_unit_weeks"
        ).fetchone()
    finally:
        con.close()
    assert figures.enabled and figures.unbanded_people == 0
    assert figures.share == pytest.approx(spend / cost)
    # every unit is listed (as the Teams page lists it); one never released shows no figure
    assert figures.units.height == units
    assert figures.units["people_cost_usd"].is_not_null().sum() == released
    assert figures.units["team"].to_list() == sorted(figures.units["team"].to_list())
    json.dumps(people_cost.summary(figures))  # the summary block is plain JSON
    assert seconds < SECONDS, f"{seconds:.1f} s"
