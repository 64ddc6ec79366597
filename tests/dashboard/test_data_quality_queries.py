"""pipelines/metrics/data_quality.py on real warehouses: the demo one, and a small one built from
hand-written files with bad rows, so that the quarantine and the failed checks are not empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.build import build
from pipelines.metrics import data_quality as dq
from pipelines.settings import Settings

PEOPLE = """person_id,email,name,team,manager_id,role,level,start_date
p1,ada.lovelace@x.io,Ada Lovelace,core,,engineer,L4,2025-01-01
p2,grace.hopper@x.io,Grace Hopper,core,,engineer,L5,2025-01-01
p3,ada.lovelace@x.io,Ada Twin,web,,engineer,L3,2025-01-01
"""
USAGE = """occurred_at,user,tool,model,input_tokens,output_tokens,event_id
2026-03-02T10:00Z,ada.lovelace@x.io,claude-code,claude-sonnet-4-5,100,10,e1
2026-03-02T10:00Z,ada.lovelace@x.io,claude-code,claude-sonnet-4-5,100,10,e1
2026-03-03T10:00Z,contractor@agency.example,cursor,gpt-5,50,5,e2
not a time,grace.hopper@x.io,cursor,gpt-5,1,1,e3
2026-03-04T11:00Z,grace.hopper@x.io,cursor,gpt-5,-5,1,e4
"""


def query(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    folder = tmp_path_factory.mktemp("small") / "input"
    folder.mkdir()
    (folder / "people.csv").write_text(PEOPLE)
    (folder / "ai_usage.csv").write_text(USAGE)
    path = folder.parent / "warehouse.duckdb"
    build(Settings(input_dir=folder, warehouse_path=path))
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def demo(demo_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        query(con, "set TimeZone = 'UTC'")
        yield con


def test_suites_count_every_check_and_list_failing_suites_first(demo: duckdb.DuckDBPyConnection) -> None:
    suites = dq.validation_suites(demo)
    ((checks, passed, names),) = query(
        demo,
        "select count(*), count(*) filter (where success), count(distinct suite) from validation_results",
    )
    assert (suites["checks"].sum(), suites["passed"].sum(), suites.height) == (checks, passed, names)
    assert (suites["passed"] + suites["failed"] == suites["checks"]).all()
    failing = suites["failed"] > 0
    assert failing.to_list() == sorted(failing.to_list(), reverse=True)
    assert suites["seconds"].null_count() == 0
    assert suites["failed_errors"].sum() == 0  # errors stop a build: a published warehouse has none


def test_checks_put_failures_first_with_their_examples(demo: duckdb.DuckDBPyConnection) -> None:
    checks = dq.validation_checks(demo)
    for _, suite in checks.group_by("suite"):
        assert suite["success"].to_list() == sorted(suite["success"].to_list())
    failed = checks.filter(~pl.col("success"))
    assert failed.height and (failed["examples"].list.len() > 0).all()
    assert checks.filter("success")["examples"].list.len().sum() == 0


def test_freshness_is_measured_from_the_build(demo: duckdb.DuckDBPyConnection) -> None:
    fresh = dq.freshness(demo)
    assert fresh["source"].to_list() == ["ai_usage", "pull_requests", "tickets"]
    (built_at,) = query(demo, "select built_at from build_info")[0]
    expected = [(built_at - t).total_seconds() for t in fresh["last_event_at"]]
    assert fresh["seconds_before_build"].to_list() == pytest.approx(expected)


def test_coverage_counts_people_with_any_telemetry(demo: duckdb.DuckDBPyConnection) -> None:
    cov = dq.coverage(demo)
    weeks = pl.DataFrame(
        query(demo, "select person_key, week, ai_rows from fct_person_weeks"),
        schema=["person_key", "week", "ai_rows"],
        orient="row",
    )
    latest = weeks.filter(pl.col("week") == weeks["week"].max())
    assert cov.latest_week == weeks["week"].max()
    assert cov.people == weeks["person_key"].n_unique()
    assert cov.with_ai == weeks.filter(pl.col("ai_rows") > 0)["person_key"].n_unique()
    assert (cov.people_latest, cov.with_ai_latest) == (
        latest.height,
        latest.filter(pl.col("ai_rows") > 0).height,
    )
    assert cov.with_tokens <= cov.with_ai and cov.with_tokens_latest <= cov.with_ai_latest


@pytest.mark.parametrize("warehouse", ["demo", "small"])
def test_row_accounting_is_build_rows_and_adds_up(warehouse: str, request: pytest.FixtureRequest) -> None:
    con = request.getfixturevalue(warehouse)
    rows = dq.row_accounting(con)
    assert rows.drop("adds_up").rows() == sorted(query(con, "select * from build_rows"))
    assert rows["adds_up"].all()


def test_small_warehouse_accounts_for_every_bad_and_duplicate_row(small: duckdb.DuckDBPyConnection) -> None:
    rows = {r["table_name"]: r for r in dq.row_accounting(small).iter_rows(named=True)}
    assert [
        rows["ai_usage"][c] for c in ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")
    ] == [
        5,
        2,
        2,
        1,
    ]
    assert (rows["people"]["rows_read"], rows["people"]["rows_quarantined"]) == (3, 1)


def test_quarantine_keeps_file_row_column_and_reason(small: duckdb.DuckDBPyConnection) -> None:
    shown = dq.quarantine(small)
    raw = pl.DataFrame(
        query(small, "select * from quarantine order by table_name, source_file, source_row"),
        schema=shown.columns,
        orient="row",
    )
    assert_frame_equal(shown.drop("value", "reason"), raw.drop("value", "reason"))
    assert shown["table_name"].to_list() == ["ai_usage", "ai_usage", "people"]
    assert shown["value"].to_list() == ["not a time", "-5", dq.PERSON]


def test_quarantine_filters_by_table_and_reason_and_limits(small: duckdb.DuckDBPyConnection) -> None:
    reasons = dq.quarantine_reasons(small)
    assert reasons["rows"].sum() == 3
    assert dq.quarantine(small, tables=["people"])["table_name"].to_list() == ["people"]
    reason = reasons.filter(pl.col("table_name") == "ai_usage")["reason"][0]
    assert dq.quarantine(small, reasons=[reason])["reason"].to_list() == [reason]
    assert dq.quarantine(small, tables=["people"], reasons=[reason]).is_empty()
    assert dq.quarantine(small, limit=1).height == 1


def test_no_roster_person_is_returned_but_unmatched_keys_are(small: duckdb.DuckDBPyConnection) -> None:
    people = {v for row in query(small, "select person_id, email, name from dim_people") for v in row}
    returned = [
        dq.quarantine(small),
        dq.quarantine_reasons(small),
        dq.validation_checks(small).explode("examples"),
    ]
    text = " ".join(str(frame.to_dicts()) for frame in returned)
    assert not [p for p in people if p in text]
    assert "email already belongs to person_id ‹person in roster›" in text  # the reason named p1
    assert "contractor@agency.example" in text  # an unmatched account is nobody in the roster


def test_the_mask_replaces_whole_identifiers_only(small: duckdb.DuckDBPyConnection) -> None:
    mask = dq.masker(small)
    assert mask("user=Ada.Lovelace@x.io and Grace Hopper") == f"user={dq.PERSON} and {dq.PERSON}"
    assert mask("ext-grace.hopper@x.io p10 p1") == f"ext-grace.hopper@x.io p10 {dq.PERSON}"
