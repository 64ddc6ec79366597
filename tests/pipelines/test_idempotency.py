"""Idempotency: inputs that carry the same events give the same warehouse figures.

The same input built twice; a folder where a file appears twice under another name; an export
that overlaps an earlier one and re-sends the same events, with and without event_id, even in
another format with timestamps written at another offset. Figures are `summary --json` and every
mart, row for row. Only the `rows` accounting differs where more rows were read, and it still
conserves: what was read twice is counted as duplicates.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.build import build
from pipelines.cli import app
from pipelines.settings import Settings
from tests.pipelines.sqlmodel import by_roster_id

MARTS = (
    "dim_people",
    "dim_tools",
    "fct_bot_pull_requests",
    "fct_merged_pull_requests",
    "fct_person_week_tools",
    "fct_person_weeks",
    "fct_source_freshness",
    "fct_unmatched_identities",
)
OVERLAP = ("2026-02-09", "2026-02-22")  # the days both exports hold


def figures(db: Path) -> dict[str, object]:
    """Every figure a user sees: summary --json, and every mart row for row."""
    result = CliRunner().invoke(app, ["summary", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    with duckdb.connect(str(db), read_only=True) as con:
        marts = {
            t: con.execute(f"select * from {by_roster_id(con, t)} order by all").fetchall() for t in MARTS
        }
    return shown | {"marts": marts}


def assert_same(a: object, b: object, where: str = "figures") -> None:
    """Equal, floats within a relative 1e-9: the elasticity fit sums person-weeks in the order the
    mart stores them, which a rebuild may change, so its last digits vary (see the report)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9), f"{where}: {a} != {b}"
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        assert len(a) == len(b), f"{where}: {len(a)} items != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{index}]")
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{where}: keys {sorted(a)} != {sorted(b)}"
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def without_rows(shown: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in shown.items() if k != "rows"}


def conserved(shown: dict[str, object]) -> bool:
    rows = shown["rows"]
    assert isinstance(rows, dict)
    return all(r["read"] == r["loaded"] + r["quarantined"] + r["duplicates"] for r in rows.values())


def copy_of(demo_input: Path, folder: Path) -> Path:
    shutil.copytree(demo_input, folder)
    return folder


def write_usage(folder: Path, exports: dict[str, str], source: Path) -> None:
    """Replace folder/ai_usage with exports: file name -> the rows of the source usage to keep (SQL
    over `u`, the demo's usage), written by the file name's format."""
    shutil.rmtree(folder / "ai_usage", ignore_errors=True)
    (folder / "ai_usage").mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(
            f"create view u as select * exclude (date) from read_parquet('{source}/ai_usage/**/*.parquet')"
        )
        for name, select in exports.items():
            fmt = "parquet" if name.endswith(".parquet") else "csv, header"
            con.execute(f"copy ({select}) to '{folder / 'ai_usage' / name}' (format {fmt})")


@pytest.fixture(scope="module")
def baseline(demo_input: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    db = tmp_path_factory.mktemp("baseline") / "w.duckdb"
    build(Settings(input_dir=demo_input, warehouse_path=db))
    return figures(db)


def test_the_same_input_built_twice_gives_identical_figures(demo_input, baseline, tmp_path):
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=demo_input, warehouse_path=db))
    assert_same(figures(db), baseline)
    again = build(Settings(input_dir=demo_input, warehouse_path=db))  # reuses the first stage
    assert again.incremental
    assert_same(figures(db), baseline)


def test_every_file_sent_twice_under_another_name_changes_no_figure(demo_input, baseline, tmp_path):
    folder = copy_of(demo_input, tmp_path / "in")
    day = sorted((folder / "ai_usage").iterdir())[20]
    copies = {
        folder / "people.csv": folder / "people" / "people (1).csv",
        folder / "identities.csv": folder / "identities" / "identities-resent.csv",
        day / "part-0.parquet": day / "part-0 (copy).parquet",
        folder / "ai_activity.csv": folder / "ai_activity" / "2026-03-29" / "export.csv",
        folder / "pull_requests.parquet": folder / "pull_requests" / "again.parquet",
        folder / "tickets.csv": folder / "tickets" / "tickets.csv",
        folder / "cost_bands.csv": folder / "cost_bands" / "cost_bands (1).csv",
    }
    for original, copy in copies.items():
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(original, copy)
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    shown = figures(db)
    assert_same(without_rows(shown), without_rows(baseline))
    assert conserved(shown)
    for table, before in baseline["rows"].items():  # type: ignore[union-attr]
        after = shown["rows"][table]  # type: ignore[index]
        read_twice = after["read"] - before["read"]
        assert read_twice > 0, table
        assert (after["loaded"], after["quarantined"]) == (before["loaded"], before["quarantined"])
        assert after["duplicates"] == before["duplicates"] + read_twice


def export_b(event_id: bool) -> str:
    """Export B, which starts before export A ends: CSV, its columns in another order (occurred_at
    last) and its timestamps written at +02:00."""
    return (
        f"select * exclude (occurred_at{'' if event_id else ', event_id'}), "
        "strftime((occurred_at at time zone 'UTC') + interval 2 hour, '%Y-%m-%dT%H:%M:%S.%f+02:00') "
        f"as occurred_at from u where occurred_at::date >= '{OVERLAP[0]}'"
    )


def export_a(event_id: bool) -> str:
    return f"select *{'' if event_id else ' exclude (event_id)'} from u where occurred_at::date <= '{OVERLAP[1]}'"


def resent_rows(demo_input: Path) -> int:
    with duckdb.connect() as con:
        return con.execute(
            f"select count(*) from read_parquet('{demo_input}/ai_usage/**/*.parquet') "
            f"where (occurred_at at time zone 'UTC')::date between '{OVERLAP[0]}' and '{OVERLAP[1]}'"
        ).fetchall()[0][0]


def test_an_overlapping_export_that_resends_events_by_event_id_changes_no_figure(
    demo_input, baseline, tmp_path
):
    """Export A is built, then export B arrives (an incremental build); a full rebuild agrees."""
    folder = copy_of(demo_input, tmp_path / "in")
    write_usage(folder, {"export-a.parquet": export_a(event_id=True)}, demo_input)
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    late = tmp_path / "late"
    write_usage(late, {"export-b.csv": export_b(event_id=True)}, demo_input)
    shutil.move(late / "ai_usage" / "export-b.csv", folder / "ai_usage" / "export-b.csv")
    added = build(Settings(input_dir=folder, warehouse_path=db))
    assert added.incremental
    shown = figures(db)
    assert_same(without_rows(shown), without_rows(baseline))
    assert conserved(shown)
    usage, before = added.rows["ai_usage"], baseline["rows"]["ai_usage"]  # type: ignore[index]
    assert (usage.read, usage.loaded) == (before["read"] + resent_rows(demo_input), before["loaded"])
    full = tmp_path / "full.duckdb"
    rebuilt = build(Settings(input_dir=folder, warehouse_path=full), incremental=False)
    assert added.rows == rebuilt.rows
    assert_same(figures(full), shown)


def test_an_overlapping_export_that_resends_events_without_event_id_changes_no_figure(demo_input, tmp_path):
    """Without event_id a re-sent event is known by its whole row, read from either format."""
    whole = copy_of(demo_input, tmp_path / "whole")
    write_usage(whole, {"all.parquet": "select * exclude (event_id) from u"}, demo_input)
    overlapping = copy_of(demo_input, tmp_path / "overlapping")
    write_usage(
        overlapping,
        {"export-a.parquet": export_a(event_id=False), "export-b.csv": export_b(event_id=False)},
        demo_input,
    )
    results = {}
    for name, folder in [("whole", whole), ("overlapping", overlapping)]:
        db = tmp_path / f"{name}.duckdb"
        results[name] = (build(Settings(input_dir=folder, warehouse_path=db)).rows["ai_usage"], figures(db))
    (whole_usage, whole_figures), (usage, shown) = results["whole"], results["overlapping"]
    assert_same(without_rows(shown), without_rows(whole_figures))
    assert conserved(shown)
    resent = resent_rows(demo_input)
    assert (usage.read, usage.loaded) == (whole_usage.read + resent, whole_usage.loaded)
    assert usage.duplicates == whole_usage.duplicates + resent
