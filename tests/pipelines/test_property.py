"""Property: random corruption of rows never loses a row and never crashes the build.

Cells are replaced by garbage, negative or huge numbers, empty strings or random unicode; cells are
dropped and added. Whatever happens, the build publishes, every row read is loaded, quarantined or
a duplicate, and every quarantined row names its file and a row that exists in it. (A NUL byte is
left out on purpose: it makes the file not a text file, a file-level problem by decision.)
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.build import build
from pipelines.settings import Settings

PEOPLE = [
    ["person_id", "email", "name", "team", "manager_id", "role", "level", "start_date", "end_date"],
    ["p1", "a@x.io", "Ada", "core", "", "manager", "L6", "", ""],
    ["p2", "b@x.io", "Bo", "core", "p1", "engineer", "L4", "2025-06-01", ""],
    ["p3", "c@x.io", "Cy", "web", "p1", "engineer", "L3", "2025-01-01", "2026-12-31"],
]
USAGE = [
    [
        "occurred_at", "user", "tool", "model", "input_tokens", "output_tokens",
        "cache_read_tokens", "cost_usd", "event_id",
    ],
    ["2026-03-02T10:00Z", "a@x.io", "claude-code", "claude-sonnet-4-5", "100", "10", "5", "", "e1"],
    ["2026-03-03T09:00:00+01:00", "b@x.io", "cursor", "gpt-5", "40", "2", "", "0.01", "e2"],
    ["2026-03-04", "p3", "copilot", "gpt-4o", "0", "0", "", "", ""],
    ["2026-03-05T23:59:59Z", "B@X.IO", "cursor", "gpt-5", "7", "1", "0", "", ""],
    ["2026-03-09T08:00Z", "ghost@else.where", "cursor", "gpt-5", "3", "3", "", "", "e5"],
    ["2026-03-10T08:00Z", "c@x.io", "claude-code", "claude-opus-4-1", "1000", "100", "50", "0.5", ""],
]  # fmt: skip

text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
garbage = st.one_of(
    text,
    st.just(""),
    st.integers(max_value=-1).map(str),
    st.integers(min_value=10**12, max_value=10**30).map(str),
    st.floats().map(str),
    st.sampled_from(["NaN", "-0", "1e309", "12.5", "03/02/2026", "null", '"', "\n", ",", ";", " "]),
)
# one corruption: replace a cell, drop a cell or add one (positions wrap around the row)
corruption = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 8), garbage),
    st.tuples(st.just("drop"), st.integers(0, 8), st.just("")),
    st.tuples(st.just("add"), st.integers(0, 9), garbage),
)


def corrupted(rows: list[list[str]], changes: dict[int, list[tuple[str, int, str]]]) -> list[list[str]]:
    out = [list(row) for row in rows]
    for index, ops in changes.items():
        row = out[1 + index % (len(rows) - 1)]
        for op, position, value in ops:
            if op == "replace":
                row[position % len(row)] = value
            elif op == "drop" and len(row) > 1:
                del row[position % len(row)]
            elif op == "add":
                row.insert(position % (len(row) + 1), value)
    return out


def write_csv(path: Path, rows: list[list[str]]) -> None:
    """CRLF line ends, so that Python quotes a value holding a lone CR (with LF line ends it would
    not, and every CSV reader, DuckDB's and Python's, takes that CR for the end of the row)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


changes = st.lists(corruption, min_size=1, max_size=2)


# each example builds once (about a second, mostly the quality gate), so it corrupts up to three
# usage files at a time: fewer builds, as many corruptions
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    usage_changes=st.lists(st.dictionaries(st.integers(0, 5), changes, max_size=4), min_size=1, max_size=3),
    people_changes=st.dictionaries(st.integers(0, 2), changes, max_size=2),
)
def test_corrupted_rows_are_never_lost_and_never_crash_the_build(usage_changes, people_changes):
    usage_files = [corrupted(USAGE, file_changes) for file_changes in usage_changes]
    people = corrupted(PEOPLE, people_changes)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        (folder / "ai_usage").mkdir(parents=True)
        rows_in = {str(folder / "people.csv"): len(people) - 1}
        write_csv(folder / "people.csv", people)
        for number, usage in enumerate(usage_files):
            path = folder / "ai_usage" / f"part-{number}.csv"
            write_csv(path, usage)
            rows_in[str(path)] = len(usage) - 1
        db = Path(tmp) / "w.duckdb"
        result = build(Settings(input_dir=folder, warehouse_path=db))
        with duckdb.connect(str(db), read_only=True) as con:
            quarantine = con.execute("select table_name, source_file, source_row from quarantine").fetchall()

    assert result.rows["ai_usage"].read == sum(len(usage) - 1 for usage in usage_files)
    assert result.rows["people"].read == len(people) - 1
    for table, rows in result.rows.items():
        assert rows.read == rows.loaded + rows.quarantined + rows.duplicates, table
        assert rows.duplicates >= 0 and rows.quarantined == sum(1 for q in quarantine if q[0] == table)
    assert len(set(quarantine)) == len(quarantine)
    for _, source_file, source_row in quarantine:
        assert 1 <= source_row <= rows_in[source_file]
    # usage rows are judged one by one: a row nobody touched is never quarantined
    touched = {
        (str(folder / "ai_usage" / f"part-{number}.csv"), 1 + i % (len(USAGE) - 1))
        for number, file_changes in enumerate(usage_changes)
        for i in file_changes
    }
    assert {(file, row) for table, file, row in quarantine if table == "ai_usage"} <= touched
