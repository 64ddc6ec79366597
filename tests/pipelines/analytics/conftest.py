"""Small demo organizations with a known truth, generated and built once per session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

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
# organizations with no tokenmaxxer at all, as issue 17 found them: output rising with use, or falling
NULL_ORGS = ((21, DemoTruth(tokenmaxxer_share=0.0, elasticity_within=0.3)),
             (22, DemoTruth(tokenmaxxer_share=0.0, elasticity_within=-0.1, adoption_lift=-0.14)))  # fmt: skip


@dataclass(frozen=True)
class Org:
    seed: int
    truth: DemoTruth
    report: DemoReport
    panel: pl.DataFrame
    keys: dict[str, str]  # person_id -> person_key

    @property
    def without_tokenmaxxers(self) -> pl.DataFrame:
        """The panel without the planted tokenmaxxers, whose burn has no effect on output by design:
        the within-person elasticity of the truth is stated for everyone else."""
        planted = [self.keys[p] for p in self.report.tokenmaxxers]
        return self.panel.filter(~pl.col("person_key").is_in(planted))

    @property
    def planted(self) -> pl.DataFrame:
        """The panel with `planted`: a person-week of a tokenmaxxing episode the generator planted."""
        weeks = [
            (self.keys[person], self.report.first_week + timedelta(weeks=week))
            for person, episode in (self.report.tokenmaxxing_weeks or {}).items()
            for week in episode
        ]
        truth = pl.DataFrame(weeks, schema={"person_key": pl.String, "week": pl.Date}, orient="row")
        marked = truth.with_columns(planted=pl.lit(True))
        return self.panel.join(marked, on=["person_key", "week"], how="left").with_columns(
            pl.col("planted").fill_null(False)
        )


def built_org(folder: Path, seed: int, truth: DemoTruth) -> Org:
    report = generate(folder / "input", people=PEOPLE, weeks=WEEKS, seed=seed, end=END, truth=truth)
    warehouse = folder / "warehouse.duckdb"
    build(Settings(input_dir=folder / "input", warehouse_path=warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    keys = dict(con.execute("select person_id, person_key from dim_people").fetchall())
    org = Org(seed, truth, report, panel(con, Filters()), keys)
    con.close()
    return org


@pytest.fixture(scope="session")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> list[Org]:
    return [built_org(tmp_path_factory.mktemp(f"truth-{seed}"), seed, DemoTruth()) for seed in SEEDS]


@pytest.fixture(scope="session")
def null_orgs(tmp_path_factory: pytest.TempPathFactory) -> list[Org]:
    return [built_org(tmp_path_factory.mktemp(f"null-{seed}"), seed, truth) for seed, truth in NULL_ORGS]
