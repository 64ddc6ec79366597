"""The Data page in Streamlit's AppTest: on the demo warehouse every section renders with the
warehouse's own numbers; on a small hand-built warehouse with bad rows the quarantine browser
filters, caps what it draws and downloads every matching row as CSV. No roster person shows."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from pipelines.build import build
from pipelines.settings import Settings
from tests.timeouts import APPTEST_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE = "dashboard/pages/data.py"
SECTIONS = ["Build", "Validation", "Freshness", "Coverage", "Rows", "Quarantine"]
BAD_TIMESTAMPS = 1_001  # more quarantined rows than the page draws (1,000)

PEOPLE = """person_id,email,name,team,manager_id,role,level,start_date
p1,ada.lovelace@x.io,Ada Lovelace,core,,engineer,L4,2025-01-01
p2,grace.hopper@x.io,Grace Hopper,core,,engineer,L5,2025-01-01
p3,ada.lovelace@x.io,Ada Twin,web,,engineer,L3,2025-01-01
p4,alan.turing@x.io,Alan Turing,web,,engineer,L4,first of may
"""
USAGE = "occurred_at,user,tool,model,input_tokens,output_tokens,event_id\n" + "".join(
    [
        "2026-03-02T10:00Z,ada.lovelace@x.io,claude-code,claude-sonnet-4-5,100,10,e1\n",
        "2026-03-02T10:00Z,ada.lovelace@x.io,claude-code,claude-sonnet-4-5,100,10,e1\n",
        "2026-03-03T10:00Z,grace.hopper@x.io,cursor,gpt-5,50,5,e2\n",
        "2026-03-04T11:00Z,grace.hopper@x.io,cursor,gpt-5,-5,1,e3\n",
        "2026-03-05T12:00Z,contractor@agency.example,cursor,gpt-5,70,7,e4\n",
        *(f"day {i},grace.hopper@x.io,cursor,gpt-5,1,1,bad{i}\n" for i in range(BAD_TIMESTAMPS)),
    ]
)


@pytest.fixture(scope="module")
def bad_rows_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad_rows") / "input"
    folder.mkdir()
    (folder / "people.csv").write_text(PEOPLE)
    (folder / "ai_usage.csv").write_text(USAGE)
    (folder / "access.toml").write_text('admins = ["admin@x.io"]\n')
    path = folder.parent / "warehouse.duckdb"
    build(Settings(input_dir=folder, warehouse_path=path))
    return path


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The bytes behind every download button, by media file id (AppTest keeps no copy of them)."""
    stored: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(
        self: MemoryMediaFileStorage,
        path_or_data: str | bytes,
        mimetype: str,
        kind: Any,
        filename: str | None = None,
    ) -> str:
        file_id = original(self, path_or_data, mimetype, kind, filename)
        stored[file_id] = self.get_file(file_id).content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return stored


def open_page(warehouse: Path, monkeypatch: pytest.MonkeyPatch, viewer: str | None = None) -> AppTest:
    """The Data page as an admin (the quarantine rows and unmatched names are theirs to see)."""
    monkeypatch.setenv("TOKENYIELD_DB", str(warehouse))
    monkeypatch.setenv(
        "TOKENYIELD_AUDIT_DB", str(warehouse.parent / "audit.duckdb")
    )  # admins' views are audited
    with duckdb.connect(str(warehouse), read_only=True) as con:
        admin = con.execute("select min(email) from access_roles where role = 'admin'").fetchone()[0]
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": viewer or admin, "email_verified": True}
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Data"
    return at


@pytest.fixture
def demo_page(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(demo_warehouse, monkeypatch)


@pytest.fixture
def bad_rows_page(
    bad_rows_warehouse: Path, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, bytes]
) -> Iterator[AppTest]:
    yield open_page(bad_rows_warehouse, monkeypatch)


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def table(at: AppTest, first_column: str) -> pl.DataFrame:
    """The first table on the page whose first column is `first_column`."""
    frame = next(df.value for df in at.dataframe if df.value.columns[0] == first_column)
    return pl.from_pandas(frame)


def text(at: AppTest) -> str:
    parts = [e.value for e in [*at.markdown, *at.caption, *at.success, *at.error, *at.info]]
    parts += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    parts += [e.label for e in at.expander]
    return " ".join(str(p) for p in parts)


def csv_download(at: AppTest, downloads: dict[str, bytes]) -> pl.DataFrame:
    (button,) = at.get("download_button")
    data = downloads[Path(button.proto.url).stem]
    return pl.read_csv(io.BytesIO(data), schema_overrides={"value": pl.String})


def test_every_section_renders_on_the_demo_warehouse(demo_page: AppTest, demo_warehouse: Path) -> None:
    at = demo_page
    assert [h.value for h in at.subheader] == SECTIONS
    shown = text(at)
    assert "Warnings are flagged, not dropped" in shown and "Errors stop a build" in shown
    assert "a published warehouse has none" in shown
    (input_dir, plan_reason) = rows(demo_warehouse, "select input_dir, plan_reason from build_info")[0]
    assert input_dir in shown and plan_reason in shown
    assert [m.label for m in at.metric][:3] == ["Built", "Build", "Validation / whole build"]
    assert at.metric[1].value == "Full"
    assert "No input row was quarantined in this build." in shown  # the demo inputs are clean
    assert not at.error


def test_validation_summary_per_suite_with_failed_checks_first(
    demo_page: AppTest, demo_warehouse: Path
) -> None:
    suites = table(demo_page, "suite")
    expected = rows(
        demo_warehouse,
        "select suite, count(*), count(*) filter (where success) from validation_results group by suite",
    )
    assert sorted(suites.select("suite", "checks", "passed").rows()) == sorted(expected)
    labels = [e.label for e in demo_page.expander]
    assert (
        labels[0].startswith("input: ai_usage: 12 passed, 1 failed") and "flagged, not dropped" in labels[0]
    )
    assert len(labels) == len(expected)
    usage = pl.from_pandas(demo_page.expander[0].dataframe[0].value)
    assert usage["result"][0] == "failed" and set(usage["result"][1:]) == {"passed"}
    assert usage["examples"][0].to_list() == ["sam.lee@outsourcer.example"]  # unmatched: nobody in the roster


def test_freshness_coverage_and_tools(demo_page: AppTest, demo_warehouse: Path) -> None:
    fresh = table(demo_page, "source")
    assert fresh["source"].to_list() == ["ai_usage", "pull_requests", "tickets"]
    assert all(age.endswith(("days", "hours")) for age in fresh["before the build"])
    people, with_ai = rows(
        demo_warehouse,
        "select count(distinct person_key), count(distinct person_key) filter (where ai_rows > 0) from fct_person_weeks",
    )[0]
    period = next(m for m in demo_page.metric if m.label.endswith("whole period"))
    assert period.value == f"{with_ai / people:.0%}" and f"{with_ai:,} of {people:,}" in period.proto.help
    tools = table(demo_page, "tool")
    assert dict(zip(tools["tool"], tools["reports"], strict=True))["copilot"] == "activity only"


def test_unmatched_identities_are_in_source_then_identity_order(
    demo_page: AppTest, demo_warehouse: Path
) -> None:
    unmatched = next(
        pl.from_pandas(df.value) for df in demo_page.dataframe if "identity_key" in df.value.columns
    )
    expected = rows(demo_warehouse, "select source, identity_key, tokens from fct_unmatched_identities")
    assert unmatched.select("source", "identity_key", "tokens").rows() == sorted(expected)


@pytest.mark.parametrize("which", ["demo", "bad rows"])
def test_row_accounting_shows_build_rows_adding_up(
    which: str, request: pytest.FixtureRequest, demo_warehouse: Path, bad_rows_warehouse: Path
) -> None:
    at = request.getfixturevalue("demo_page" if which == "demo" else "bad_rows_page")
    warehouse = demo_warehouse if which == "demo" else bad_rows_warehouse
    shown = table(at, "table")
    expected = rows(warehouse, "select * from build_rows order by table_name")
    assert shown.select("table", "read", "loaded", "quarantined", "duplicates").rows() == expected
    for read, loaded, quarantined, duplicates, sum_ in shown.drop("table").rows():
        assert sum_ == f"{read:,} = {loaded:,} + {quarantined:,} + {duplicates:,} ✓"


def test_the_quarantine_filters_change_the_rows_shown(bad_rows_page: AppTest) -> None:
    at = bad_rows_page
    everything = table(at, "table_name")
    assert everything.height == 1_000  # capped; the caption says how many match
    assert f"{BAD_TIMESTAMPS + 3:,} matching rows; the first 1,000 shown" in text(at)

    at.multiselect(key="quarantine_tables").set_value(["people"]).run()
    people = table(at, "table_name")
    assert people["table_name"].to_list() == ["people", "people"]
    assert people["source_row"].to_list() == [3, 4]

    reason = "start_date is not a date (expected YYYY-MM-DD)"
    assert reason in at.multiselect(key="quarantine_reasons").options
    at.multiselect(key="quarantine_reasons").set_value([reason]).run()
    assert table(at, "table_name").select("source_row", "value", "reason").rows() == [
        (4, "first of may", reason)
    ]
    assert at.get("download_button")[0].label == "Download the 1 matching row as CSV"


def test_the_download_has_every_matching_row_as_csv(
    bad_rows_page: AppTest, bad_rows_warehouse: Path, downloads: dict[str, bytes]
) -> None:
    at = bad_rows_page
    everything = csv_download(at, downloads)
    quarantine = rows(
        bad_rows_warehouse,
        "select table_name, source_file, source_row, column_name, value, reason from quarantine "
        "order by table_name, source_file, source_row",
    )
    assert everything.columns == ["table_name", "source_file", "source_row", "column_name", "value", "reason"]
    assert everything.height == len(quarantine) == BAD_TIMESTAMPS + 3
    assert everything.select(pl.exclude("value", "reason")).rows() == [r[:4] for r in quarantine]
    masked = everything.filter(pl.col("value") != pl.Series([r[4] for r in quarantine]))
    assert masked.select("table_name", "column_name", "value").rows() == [
        ("people", "email", "‹person in roster›")
    ]

    at.multiselect(key="quarantine_tables").set_value(["ai_usage"]).run()
    usage = csv_download(at, downloads)
    assert usage.height == BAD_TIMESTAMPS + 1 and set(usage["table_name"]) == {"ai_usage"}
    assert usage.rows() == everything.filter(pl.col("table_name") == "ai_usage").rows()


@pytest.mark.parametrize("which", ["demo", "bad rows"])
def test_no_roster_person_appears_anywhere_on_the_page(
    which: str,
    request: pytest.FixtureRequest,
    demo_warehouse: Path,
    bad_rows_warehouse: Path,
    downloads: dict[str, bytes],
) -> None:
    at = request.getfixturevalue("demo_page" if which == "demo" else "bad_rows_page")
    warehouse = demo_warehouse if which == "demo" else bad_rows_warehouse
    people = rows(warehouse, "select email, name from dim_people")
    identifiers = {value for row in people for value in row if value}
    tables = [df.value.to_dict("list") for df in at.dataframe]
    shown = text(at) + json.dumps(tables, default=str) + " ".join(d.decode() for d in downloads.values())
    leaked = [i for i in identifiers if i.lower() in shown.lower()]
    assert not leaked, leaked[:3]


def test_the_sidebar_filters_survive_a_visit_to_the_data_page(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": "demo-leader", "email_verified": True}
    at.run()
    team = at.sidebar.multiselect(key="filter_teams").options[0]
    at.sidebar.multiselect(key="filter_teams").set_value([team]).run()
    at.switch_page(PAGE).run()
    assert "do not apply to this page" in " ".join(c.value for c in at.sidebar.caption)
    at.switch_page("dashboard/pages/overview.py").run()
    assert at.sidebar.multiselect(key="filter_teams").value == [team]


@pytest.mark.parametrize("content", [None, b"not a database"])
def test_without_a_warehouse_the_page_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    path = tmp_path / "warehouse.duckdb"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("TOKENYIELD_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": "demo-leader", "email_verified": True}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert str(path) in at.error[0].value
    assert at.code[0].value == "make run"
