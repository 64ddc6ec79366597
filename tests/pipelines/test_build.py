"""The build as a whole: it publishes atomically, keeps the old warehouse on a file-level problem,
and says what went wrong in one line, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.build import BuildError, build
from pipelines.cli import app
from pipelines.privacy import audit, audit_key
from pipelines.settings import Settings

PEOPLE = "person_id,email,name,team,manager_id,role,level\np1,a@x.io,A,core,,engineer,L4\n"
USAGE = (
    "occurred_at,user,tool,model,input_tokens,output_tokens\n"
    "2026-03-02T10:00Z,a@x.io,claude-code,claude-sonnet-4-5,100,10\n"
)


def make_input(folder: Path, people: str = PEOPLE, usage: str = USAGE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "people.csv").write_text(people)
    (folder / "ai_usage.csv").write_text(usage)
    return folder


def tokens(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select sum(total_tokens) from fct_person_weeks").fetchall()[0][0]


def test_build_publishes_a_self_contained_warehouse_and_leaves_no_temporary_files(tmp_path):
    folder = make_input(tmp_path / "in")
    db = tmp_path / "out" / "w.duckdb"
    result = build(Settings(input_dir=folder, warehouse_path=db))
    assert result.rows["ai_usage"].loaded == 1
    shutil.rmtree(folder)  # the warehouse must not depend on the input files any more
    assert tokens(db) == 110
    assert sorted(p.name for p in db.parent.iterdir() if p.suffix != ".key") == [
        "w.duckdb",
        "w.duckdb.audit-head",
    ]


def test_a_build_anchors_the_audit_logs_head_beside_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("TOKENYIELD_AUDIT_KEY", raising=False)
    monkeypatch.delenv("TOKENYIELD_AUDIT_KEY_FILE", raising=False)
    log = tmp_path / "audit.duckdb"
    audit.record(log, [audit.Entry("cto@x.io", "leader", "export: review pack")] * 2)
    db = tmp_path / "out" / "w.duckdb"
    build(Settings(input_dir=make_input(tmp_path / "in"), warehouse_path=db, audit_path=log))
    assert audit_key.read(audit_key.warehouse_anchor(db)) == audit.head(log)
    assert audit.head(log).seq == 2


def test_a_rebuild_replaces_the_warehouse_in_one_step(tmp_path):
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=make_input(tmp_path / "a"), warehouse_path=db))
    reader = duckdb.connect(str(db), read_only=True)  # a reader holding the old file keeps reading it
    more = USAGE + "2026-03-03T10:00Z,a@x.io,claude-code,claude-sonnet-4-5,1000,0\n"
    build(Settings(input_dir=make_input(tmp_path / "b", usage=more), warehouse_path=db))
    assert reader.execute("select sum(total_tokens) from fct_person_weeks").fetchall()[0][0] == 110
    reader.close()
    assert tokens(db) == 1_110


@pytest.mark.parametrize(
    ("people", "usage", "message"),
    [
        (
            PEOPLE,
            "occurred_at,user,tool,model,input_tokens\n2026-03-02,a,t,m,1\n",
            "ai_usage.csv: missing required column(s) output_tokens for table 'ai_usage'",
        ),
        ("person_id,email\np1,a@x.io\n", USAGE, "people.csv: missing required column(s) name, team"),
    ],
)
def test_a_missing_required_column_stops_the_build_and_keeps_the_old_warehouse(
    tmp_path, people, usage, message
):
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=make_input(tmp_path / "good"), warehouse_path=db))
    with pytest.raises(BuildError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build(Settings(input_dir=make_input(tmp_path / "bad", people=people, usage=usage), warehouse_path=db))
    assert tokens(db) == 110
    assert sorted(
        p.name for p in tmp_path.iterdir() if p.is_file() and p.suffix not in (".key", ".audit-head")
    ) == ["w.duckdb"]


def test_a_missing_required_table_is_named(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text(PEOPLE)
    with pytest.raises(BuildError, match="required table 'ai_usage' not found"):
        build(Settings(input_dir=folder, warehouse_path=tmp_path / "w.duckdb"))


def test_the_cli_prints_one_line_and_exits_non_zero_without_a_traceback(tmp_path):
    folder = make_input(tmp_path / "in", usage="occurred_at,user\n2026-03-02,a\n")
    result = CliRunner().invoke(app, ["build", "--input", str(folder), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "ai_usage.csv" in lines[0]


def test_summary_without_a_warehouse_says_what_to_run(tmp_path):
    result = CliRunner().invoke(app, ["summary", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "run `tokenyield build" in result.output and "Traceback" not in result.output


def test_parquet_folders_and_csv_files_mix_and_a_bad_row_is_quarantined_with_its_file_and_row(tmp_path):
    folder = make_input(tmp_path / "in")
    (folder / "ai_usage.csv").unlink()
    days = folder / "ai_usage"
    (days / "date=2026-03-02").mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(
            f"copy (select '2026-03-02T10:00:00Z'::timestamptz as occurred_at, 'a@x.io' as user, 'cursor' as tool, "
            f"'gpt-5' as model, 40::bigint as input_tokens, 2::bigint as output_tokens) "
            f"to '{days / 'date=2026-03-02' / 'part-0.parquet'}' (format parquet)"
        )
    (days / "extra.csv").write_text(USAGE + "not a time,a@x.io,cursor,gpt-5,1,1\n")
    db = tmp_path / "w.duckdb"
    result = build(Settings(input_dir=folder, warehouse_path=db))
    assert result.rows["ai_usage"].read == 3 and result.rows["ai_usage"].quarantined == 1
    assert tokens(db) == 152
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("select source_file, source_row, column_name, value from quarantine").fetchall()
    assert row == [(str(days / "extra.csv"), 2, "occurred_at", "not a time")]
