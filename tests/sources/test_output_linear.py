"""The Linear importer on the real CSV export and header shapes, GraphQL pages, and bad input."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.sources import linear
from pipelines.sources.canonical import conform
from pipelines.sources.output_common import OutputParseError

EXPECTED = Path(__file__).parents[1] / "fixtures" / "output" / "expected"
EXPORT = "linear/Linear-tasks-backlog-backup.csv"


def test_the_export_gives_its_28_issues(samples):
    tickets = linear.parse([samples / EXPORT])["tickets"]

    golden = pl.read_csv(EXPECTED / "linear_backlog_tickets.csv", infer_schema=False)
    assert_frame_equal(tickets, conform("tickets", golden))
    # the sample's own numbers: every data row is 29 fields for a 30-column header; 7 completed
    with (samples / EXPORT).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(rows[0]) == 30 and {len(row) for row in rows[1:]} == {29} and len(rows) - 1 == 28
    assert sum(1 for row in rows[1:] if row[20]) == 7 == tickets["resolved_at"].is_not_null().sum()
    assert tickets.row(0) == (
        "IN-10",
        "pathliving@gmail.com",
        datetime(2024, 5, 14, 8, 53, 33, tzinfo=UTC),  # Tue May 14 2024 08:53:33 GMT+0000 (GMT)
        datetime(2024, 5, 23, 16, 6, 19, tzinfo=UTC),
        "Improvement",  # the first label
        "Done",
        None,  # not delegated to an agent
    )


@pytest.mark.parametrize("shape", [0, 1])
def test_both_real_header_shapes_are_read(samples, tmp_path, shape):
    lines = (samples / "linear/linear_csv_header_shapes.txt").read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line and not line.startswith("#")][shape]
    columns = header.split(",")
    values = dict.fromkeys(columns, "")
    values |= {"ID": "ENG-1", "Status": "Done", "Assignee": "ana@acme.io", "Labels": "Bug, UI"}
    values |= {"Created": "Mon Mar 02 2026 09:00:00 GMT+0100 (CET)", "Completed": "2026-03-03T10:00:00.000Z"}
    path = tmp_path / "export.csv"
    path.write_text(header + "\n" + ",".join(f'"{values[c]}"' for c in columns) + "\n", encoding="utf-8")

    assert len(columns) == (30, 34)[shape]
    assert linear.parse([path])["tickets"].rows() == [
        (
            "ENG-1",
            "ana@acme.io",
            datetime(2026, 3, 2, 8, tzinfo=UTC),
            datetime(2026, 3, 3, 10, tzinfo=UTC),
            "Bug",
            "Done",
            None,
        )
    ]


def write_export(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "linear.csv"
    path.write_text("\n".join(["ID,Title,Status,Assignee,Created,Completed,Canceled", *rows]) + "\n")
    return path


def test_a_row_two_fields_short_is_refused(tmp_path):
    path = write_export(tmp_path, "A-1,t,Done,,Tue May 14 2024 08:53:33 GMT+0000 (GMT),,", "A-2,t,Done,")

    with pytest.raises(
        OutputParseError, match=r"linear.csv: row 2: expected 7 fields like the header, got 4"
    ):
        linear.parse([path])


def test_a_bad_date_names_file_row_column_and_format(tmp_path):
    path = write_export(tmp_path, "A-1,t,Done,,14/05/2024,,")

    with pytest.raises(OutputParseError) as caught:
        linear.parse([path])

    assert str(caught.value) == (
        f"{path}: row 1, field 'Created': expected a Linear date like "
        "Tue May 14 2024 08:53:33 GMT+0000 (GMT), got '14/05/2024'"
    )


def test_a_canceled_issue_is_not_resolved(tmp_path):
    path = write_export(
        tmp_path,
        "A-1,t,Canceled,bo@acme.io,Tue May 14 2024 08:53:33 GMT+0000 (GMT),,Wed May 15 2024 08:00:00 GMT+0000 (GMT)",
    )

    assert linear.parse([path])["tickets"]["resolved_at"].to_list() == [None]


def test_a_saved_graphql_page_is_read(tmp_path):
    node = {
        "delegate": {"id": "app-7", "name": "Cursor"},  # an agent works it; bo keeps the credit
        "identifier": "ENG-9",
        "createdAt": "2026-03-02T09:00:00.000Z",
        "updatedAt": "2026-03-05T09:00:00.000Z",
        "completedAt": "2026-03-05T09:00:00.000Z",
        "state": {"name": "Done"},
        "assignee": {"id": "u-1", "email": "bo@acme.io"},
        "labels": {"nodes": []},
    }
    path = tmp_path / "issues.json"
    path.write_text(json.dumps({"data": {"issues": {"nodes": [node], "pageInfo": {"hasNextPage": False}}}}))

    assert linear.parse([path])["tickets"].rows() == [
        (
            "ENG-9",
            "bo@acme.io",
            datetime(2026, 3, 2, 9, tzinfo=UTC),
            datetime(2026, 3, 5, 9, tzinfo=UTC),
            None,
            "Done",
            "Cursor",
        )
    ]
