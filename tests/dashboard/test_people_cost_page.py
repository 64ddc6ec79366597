"""The Efficiency page's "Tokens against people cost" section in AppTest: with cost bands it shows the
share beside the 50% reference line, the marginal and average costs per merged PR and their methods;
without cost_bands.csv it says how to turn the feature on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import formats
from pipelines.build import build
from pipelines.metrics import people_cost
from pipelines.metrics.people_cost import REFERENCE_LABEL, TURN_ON
from pipelines.settings import Settings
from tests.dashboard.test_pages import signed_in

EFFICIENCY = "dashboard/pages/efficiency.py"


def _efficiency(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("TOKENYIELD_DB", str(warehouse))
    monkeypatch.delenv("TOKENYIELD_LOCAL_VIEWER", raising=False)
    at = signed_in().run()
    at.switch_page(EFFICIENCY).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_section_shows_share_costs_and_the_reference_line(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _efficiency(demo_warehouse, monkeypatch)
    assert "Tokens against people cost" in [h.value for h in at.subheader]
    metrics = {m.label: m.value for m in at.metric}
    # the org's share, recomputed here from the released organization cells
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    spend, people = con.execute(
        "select sum(cost_micro_usd) / 1e6, sum(people_cost_usd) from release_org_weeks "
        "where released_usage and people_cost_usd is not null"
    ).fetchone()
    con.close()
    assert metrics["AI spend ÷ people cost"] == formats.pct(spend / people, 2)
    assert metrics["One more merged PR through tokens"].startswith("$")
    assert metrics["People cost per merged PR (average)"].startswith("$")
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    share_chart = next(
        c for c in charts if c["layout"]["title"]["text"] == "AI spend ÷ people cost, per week"
    )
    reference = next(t for t in share_chart["data"] if t["name"].startswith(REFERENCE_LABEL))
    assert set(reference["y"]) == {0.5}
    captions = " ".join(c.value for c in at.caption)
    assert "Method, share:" in captions and "Method, one more PR through tokens:" in captions
    assert any(people_cost.REFERENCE_NOTE in i.value for i in at.info)
    table = at.dataframe[-1].value
    assert list(table.columns)[:2] == ["Team", "People cost"]
    assert list(table["Team"]) == sorted(table["Team"])  # name order, never by a figure


def test_without_cost_bands_the_page_says_how_to_turn_it_on(
    demo_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "input"
    shutil.copytree(demo_input, inputs, ignore=shutil.ignore_patterns("cost_bands.csv"))
    warehouse = tmp_path / "warehouse.duckdb"
    build(Settings(input_dir=inputs, warehouse_path=warehouse))
    at = _efficiency(warehouse, monkeypatch)
    assert TURN_ON in [i.value for i in at.info]
    assert "AI spend ÷ people cost" not in [m.label for m in at.metric]
