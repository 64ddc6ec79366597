"""dashboard/data.py: the warehouse identity behind the caches, and the cost trend."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import data, warehouse
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.warehouse import WarehouseError


def test_missing_warehouse_names_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKENYIELD_DB", str(tmp_path / "none.duckdb"))
    with pytest.raises(WarehouseError, match=r"No warehouse at .*none\.duckdb"):
        warehouse.current()


def test_a_swapped_in_warehouse_gets_a_new_connection(
    demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, path)
    monkeypatch.setenv("TOKENYIELD_DB", str(path))
    before = warehouse.current()
    first = warehouse.connection(before)
    assert warehouse.connection(warehouse.current()) is first  # cached while the file is the same
    leader = warehouse.viewer("demo-leader")
    rows = data.weekly(leader, Filters())

    shutil.copy(demo_warehouse, tmp_path / "next.duckdb")
    os.replace(tmp_path / "next.duckdb", path)  # what a build does: one atomic rename
    after = warehouse.current()
    assert after != before
    assert warehouse.connection(after) is not first
    assert_frame_equal(data.weekly(leader, Filters()), rows)


def test_cost_trend_is_a_ratio_of_sums() -> None:
    weeks = [date(2026, 3, 2) + timedelta(days=7 * i) for i in range(5)]
    weekly = pl.DataFrame(
        {"week": weeks, "cost_usd": [10.0, 30.0, 0.0, 20.0, 40.0], "merged_prs": [10, 0, 0, 10, 20]}
    )
    trend = data.with_cost_trend(weekly, weeks=2)["cost_per_merged_pr_rolling"].to_list()
    assert trend == [1.0, 4.0, None, 2.0, 2.0]  # (10 + 30) / 10, then no PR in two weeks: no value


def test_pages_get_no_per_person_rows(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    eff = data.efficiency(warehouse.viewer("demo-leader"), Filters())
    # the density arrives binned: counts of people per cell, no id, no team, no per-person value
    assert eff.density.columns == ["x_low", "x_high", "y_low", "y_high", "people", "suppressed"]
    assert eff.density.filter(~eff.density["suppressed"])["people"].min() >= eff.k
    assert "person_key" not in eff.deciles.columns


def test_the_dashboard_reads_the_same_figures_as_the_policy(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    leader = warehouse.viewer("demo-leader")
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        compared = 0
        for team in [None, *data.teams(leader)]:
            filters = Filters(teams=(team,) if team else ())
            assert_frame_equal(
                data.weekly(leader, filters),
                data.with_cost_trend(views.weekly(con, leader, filters)),
                check_exact=True,
            )
            try:
                views.check_selection(con, leader, filters)
            except views.Withheld as error:  # no estimate for this unit: the dashboard says the same
                assert data.estimates_withheld(leader, filters) == str(error)
                data.check(leader, filters)  # its released sums still show
                continue
            compared += 1
            assert_frame_equal(
                data.guardrails(leader, filters, overall_only=True).overall,
                views.guardrails(con, leader, filters, overall_only=True).overall,
                rel_tol=1e-12,  # floats summed per person in polars' group order
            )
        assert compared >= 2
