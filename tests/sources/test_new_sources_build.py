"""The new sources end to end: `tokenyield import` of each sample into one input folder, then a
real build, whose row accounting loads every imported row (credits and ACUs in ai_activity)."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from pipelines.build import build
from pipelines.settings import Settings
from pipelines.sources.cli import register
from pipelines.sources.store import read_table

PEOPLE = (
    "person_id,email,name,team,manager_id,role,level\n"
    "p1,dev1@example.com,Dev One,core,,engineer,L4\n"
    "p2,person1@example.net,Person One,core,p1,engineer,L4\n"
)


@pytest.fixture
def run():
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """tokenyield (test build)"""

    register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_imported_new_sources_build_with_every_row_loaded(run, samples, tmp_path):
    into = tmp_path / "input"
    imports = [
        ("codex", samples / "codex" / "ASSEMBLED_usage_per_user_daily.json"),
        ("devin", samples / "devin" / "v2_enterprise_consumption_daily_user_doc_example.json", "--person", "dev1@example.com"),
        ("amazon-q", samples / "amazon-q" / "KIRO_CLI_user_report_real_row_2026-07-10.csv"),
        ("gitlab-duo", samples / "gitlab-duo" / "aiUsageData_codeSuggestionEvents_doc_example.json"),
        ("claude-code-otel", samples / "claude-code-otel" / "xiplias_production_patterns_metrics.jsonl"),
        ("windsurf", samples / "windsurf" / "faros_fixtures" / "cascade_runs_analytics.json", "--person", "dev1@example.com"),
    ]  # fmt: skip
    for source, path, *options in imports:
        result = run("import", source, str(path), "--into", str(into), *options)
        assert result.exit_code == 0, result.output
    (into / "people.csv").write_text(PEOPLE)
    usage = read_table(into / "ai_usage", "ai_usage")
    activity = read_table(into / "ai_activity", "ai_activity")

    result = build(Settings(input_dir=into, warehouse_path=tmp_path / "w.duckdb"))

    # 3 codex + 2 kiro per-model + 3 claude-code-otel rows; every activity row, none quarantined
    assert (usage.height, result.rows["ai_usage"].loaded, result.rows["ai_usage"].quarantined) == (8, 8, 0)
    assert (result.rows["ai_activity"].read, result.rows["ai_activity"].loaded) == (
        activity.height,
        activity.height,
    )
    units = (
        activity.filter(activity["metric"].is_in(["credits", "acus"]))
        .group_by("tool", "metric")
        .agg(pl.col("value").sum())
    )
    assert sorted(units.rows()) == [
        ("codex", "credits", 199.5),  # 142.5 + 9 + 48 Codex credits, never tokens
        ("devin", "acus", 325.5),  # 50 + 125.5 + 150 ACUs
        ("kiro-cli", "credits", 114.45787414391377),
        ("windsurf", "credits", 0.09),  # promptsUsed 3 + 6 hundredths
    ]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        tools = dict(con.execute("select tool, reports_tokens from dim_tools").fetchall())
    assert tools == {"codex": True, "kiro-cli": False, "claude-code": True}
