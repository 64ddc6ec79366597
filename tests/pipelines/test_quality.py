"""The quality gate: every suite runs, a broken mart stops the build, implausible values are flagged
but kept, and conflicting roster rows are quarantined instead of silently picked."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.build import build, load_config, write_quarantine
from pipelines.inputs import create_raw_views, find_tables
from pipelines.models import load_models, run_model
from pipelines.privacy import pseudonyms
from pipelines.quality.checks import input_suites, mart_suites
from pipelines.quality.gate import run_gate
from pipelines.settings import Settings
from tests.pipelines.test_build import PEOPLE, USAGE, make_input


def results(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select suite, check_name, engine, success, severity, unexpected_count, examples "
            "from validation_results order by all"
        ).fetchall()


def test_every_input_table_and_every_mart_has_a_suite_and_the_demo_passes_the_gate(demo_warehouse):
    recorded = results(demo_warehouse)
    suites = {row[0] for row in recorded}
    assert suites == {s.name for s in input_suites(1) + mart_suites()}
    assert {row[2] for row in recorded} == {"great_expectations", "sql"}
    assert not [row for row in recorded if row[4] == "error" and not row[3]]
    for table in ("people", "identities", "ai_usage", "pull_requests", "tickets", "ai_activity"):
        assert f"input: {table}" in suites


def test_a_broken_mart_stops_the_build(tmp_path):
    folder = make_input(tmp_path / "in")
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    pseudonyms.register(con, b"test-key")
    create_raw_views(con, find_tables(folder))
    load_config(con, Settings())
    for model in load_models():
        run_model(con, model)
    write_quarantine(con)
    con.execute("insert into fct_person_weeks select * from fct_person_weeks")  # a fan-out bug
    gate = run_gate(con, token_ceiling=10**9)
    broken = {(r.suite, r.check.split(" ")[0]) for r in gate.errors}
    assert ("mart: fct_person_weeks", "expect_compound_columns_to_be_unique") in broken
    assert any(r.check.startswith("every loaded token") for r in gate.errors)


def test_an_implausible_person_day_is_flagged_with_examples_and_still_counted(tmp_path):
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=make_input(tmp_path / "in"), warehouse_path=db, token_ceiling=100))
    flagged = [r for r in results(db) if r[1].startswith("person-day tokens at most 100 ")]
    assert flagged == [
        ("input: ai_usage", flagged[0][1], "sql", False, "warning", 1, ["p1 2026-03-02: 110 tokens"])
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select sum(total_tokens) from fct_person_weeks").fetchall() == [(110,)]


@pytest.mark.parametrize(
    ("people", "reason"),
    [
        (
            PEOPLE + "p1,other@x.io,A,core,,engineer,L4\n",
            "person_id repeats an earlier row with other values",
        ),
        (PEOPLE + "p2,A@x.io,B,core,,engineer,L4\n", "email already belongs to person_id p1"),
    ],
)
def test_conflicting_roster_rows_are_quarantined_and_exact_repeats_are_duplicates(tmp_path, people, reason):
    db = tmp_path / "w.duckdb"
    result = build(
        Settings(
            input_dir=make_input(tmp_path / "in", people=people + PEOPLE.splitlines()[1] + "\n"),
            warehouse_path=db,
        )
    )
    assert result.rows["people"].read == 3
    assert (
        result.rows["people"].loaded,
        result.rows["people"].quarantined,
        result.rows["people"].duplicates,
    ) == (1, 1, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select source_row, reason from quarantine").fetchall() == [(2, reason)]


def test_an_account_claimed_by_two_people_belongs_to_the_first_claim(tmp_path):
    folder = make_input(
        tmp_path / "in",
        people=PEOPLE + "p2,b@x.io,B,core,,engineer,L4\n",
        usage=USAGE.replace("a@x.io", "shared-gh"),
    )
    (folder / "identities.csv").write_text(
        "person_id,system,external_id\np1,github,shared-gh\np2,github,Shared-GH\n"
    )
    db = tmp_path / "w.duckdb"
    result = build(Settings(input_dir=folder, warehouse_path=db))
    assert result.rows["identities"].quarantined == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "select person_id from fct_person_weeks join dim_people using (person_key) where total_tokens > 0"
        ).fetchall() == [("p1",)]
        assert con.execute("select reason from quarantine").fetchall() == [
            ("external_id already belongs to p1",)
        ]
