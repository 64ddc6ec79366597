"""store.append: idempotent, overlap-aware, atomic appends of canonical tables."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from polars.testing import assert_frame_equal

from pipelines.sources.canonical import conform
from pipelines.sources.store import append, read_table


def usage(*rows: tuple[str, str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "occurred_at": datetime(2026, 3, 2, tzinfo=UTC),
                "user": user,
                "tool": "claude-code",
                "model": "claude-sonnet-4-5",
                "input_tokens": tokens,
                "output_tokens": 1,
                "event_id": event_id,
            }
            for event_id, user, tokens in rows
        ]
    )


def files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_writes_one_parquet_file_per_table_named_by_source_and_content(tmp_path):
    result = append(tmp_path, {"ai_usage": usage(("e1", "a@x.io", 10))}, "anthropic-claude-code")

    assert result["ai_usage"].added == 1
    [name] = files(tmp_path / "ai_usage")
    assert name.startswith("anthropic-claude-code-") and name.endswith(".parquet")
    assert result["ai_usage"].path == tmp_path / "ai_usage" / name
    stored = read_table(tmp_path / "ai_usage", "ai_usage")
    assert_frame_equal(stored, conform("ai_usage", usage(("e1", "a@x.io", 10))))


def test_importing_the_same_export_twice_changes_nothing(tmp_path):
    tables = {"ai_usage": usage(("e1", "a@x.io", 10), ("e2", "b@x.io", 20))}
    append(tmp_path, tables, "src")
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "ai_usage").iterdir()}

    again = append(tmp_path, tables, "src")

    assert (again["ai_usage"].added, again["ai_usage"].unchanged, again["ai_usage"].path) == (0, 2, None)
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "ai_usage").iterdir()} == before


def test_an_overlapping_export_adds_only_new_rows(tmp_path):
    append(tmp_path, {"ai_usage": usage(("e1", "a@x.io", 10), ("e2", "b@x.io", 20))}, "src")

    result = append(tmp_path, {"ai_usage": usage(("e2", "b@x.io", 20), ("e3", "c@x.io", 30))}, "src")

    assert (result["ai_usage"].added, result["ai_usage"].unchanged) == (1, 1)
    stored = read_table(tmp_path / "ai_usage", "ai_usage").sort("event_id")
    assert stored["event_id"].to_list() == ["e1", "e2", "e3"]
    assert len(files(tmp_path / "ai_usage")) == 2


def test_rows_without_an_event_id_dedupe_on_all_values(tmp_path):
    rows = usage((None, "a@x.io", 10), (None, "a@x.io", 10), (None, "a@x.io", 11))

    first = append(tmp_path, {"ai_usage": rows}, "src")
    second = append(tmp_path, {"ai_usage": rows}, "src")

    assert (first["ai_usage"].added, first["ai_usage"].unchanged) == (2, 1)
    assert second["ai_usage"].added == 0


def test_activity_dedupes_on_day_user_tool_metric(tmp_path):
    def activity(value):
        return pl.DataFrame(
            {
                "occurred_on": [date(2026, 3, 2)],
                "user": ["a@x.io"],
                "tool": ["copilot"],
                "metric": ["acceptances"],
                "value": [value],
            }
        )

    append(tmp_path, {"ai_activity": activity(3.0)}, "copilot")
    result = append(tmp_path, {"ai_activity": activity(4.0)}, "copilot")

    assert result["ai_activity"].added == 0
    assert read_table(tmp_path / "ai_activity", "ai_activity")["value"].to_list() == [3.0]


def test_identities_dedupe_on_system_and_external_id(tmp_path):
    ids = pl.DataFrame({"person_id": ["a@x.io"], "system": ["openai"], "external_id": ["user-1"]})

    append(tmp_path, {"identities": ids}, "openai")
    result = append(tmp_path, {"identities": ids}, "openai")

    assert result["identities"].added == 0


def pr(number: int, merged: datetime | None, title: str = "Fix") -> dict:
    return {
        "repo": "acme/payments",
        "number": number,
        "author": "octocat",
        "created_at": datetime(2026, 3, 2, tzinfo=UTC),
        "merged_at": merged,
        "title": title,
    }


def test_a_newer_pull_request_replaces_the_stored_one(tmp_path):
    merged = datetime(2026, 3, 4, tzinfo=UTC)
    append(tmp_path, {"pull_requests": pl.DataFrame([pr(1, None), pr(2, None)])}, "github")

    result = append(tmp_path, {"pull_requests": pl.DataFrame([pr(1, merged), pr(2, None)])}, "github")

    r = result["pull_requests"]
    assert (r.added, r.replaced, r.unchanged) == (0, 1, 1)
    stored = read_table(tmp_path / "pull_requests", "pull_requests").sort("number")
    assert stored["merged_at"].to_list() == [merged, None]
    # the old file was rewritten without PR 1: still one row per key, in two files
    assert len(files(tmp_path / "pull_requests")) == 2
    again = append(tmp_path, {"pull_requests": pl.DataFrame([pr(1, merged)])}, "github")
    assert again["pull_requests"].path is None


def test_a_replaced_row_that_was_alone_in_its_file_removes_the_file(tmp_path):
    def ticket(status):
        return pl.DataFrame(
            {"ticket_id": ["T-1"], "created_at": ["2026-03-02T09:00:00Z"], "status": [status]}
        )

    append(tmp_path, {"tickets": ticket("Open")}, "jira")
    append(tmp_path, {"tickets": ticket("Done")}, "jira")

    assert len(files(tmp_path / "tickets")) == 1
    assert read_table(tmp_path / "tickets", "tickets")["status"].to_list() == ["Done"]


def test_within_one_import_the_last_version_of_a_pull_request_wins(tmp_path):
    rows = pl.DataFrame([pr(1, None, "old"), pr(1, None, "new")])

    append(tmp_path, {"pull_requests": rows}, "github")

    assert read_table(tmp_path / "pull_requests", "pull_requests")["title"].to_list() == ["new"]


def test_leaves_no_temp_files_and_skips_empty_tables(tmp_path):
    result = append(tmp_path, {"ai_usage": usage(("e1", "a@x.io", 1)), "tickets": pl.DataFrame()}, "s")

    assert result["tickets"].path is None
    assert not (tmp_path / "tickets").exists()
    assert [p.name for p in (tmp_path / "ai_usage").iterdir() if p.name.startswith(".")] == []
