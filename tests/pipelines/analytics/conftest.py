"""Small demo organizations with a known truth, generated and built once per session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines.build import build
from pipelines.demo import DemoReport, DemoTruth, generate
from pipelines.metrics.analytics import panel
from pipelines.metrics.filters import Filters
from pipelines.settings import Settings

SEEDS = (1, 2, 3)
PEOPLE, WEEKS = 400, 20
END = date(2026, 3, 29)


@dataclass(frozen=True)
class Org:
    seed: int
    truth: DemoTruth
    report: DemoReport
    panel: pl.DataFrame
    keys: dict[str, str]  # person_id -> person_key


@pytest.fixture(scope="session")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> list[Org]:
    built = []
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"truth-{seed}")
        truth = DemoTruth()
        report = generate(folder / "input", people=PEOPLE, weeks=WEEKS, seed=seed, end=END, truth=truth)
        warehouse = folder / "warehouse.duckdb"
        build(Settings(input_dir=folder / "input", warehouse_path=warehouse))
        con = duckdb.connect(str(warehouse), read_only=True)
        keys = dict(con.execute("select person_id, person_key from dim_people").fetchall())
        built.append(Org(seed, truth, report, panel(con, Filters()), keys))
        con.close()
    return built
