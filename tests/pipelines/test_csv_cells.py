"""Every CSV the product writes for people to open neutralises text cells a spreadsheet would run
as a formula: the shared function, the reviewed identities file (and reading it back), the Data
page's quarantine download. (table_csv: tests/report/test_tables.py; the export-charts folder:
tests/dashboard/test_hostile_text.py.)"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.build import build
from pipelines.csv_cells import neutral, neutral_frame, restore
from pipelines.privacy import audit
from pipelines.privacy.viewer import resolve
from pipelines.settings import Settings
from pipelines.sources.identity_apply import confirmed_rows
from pipelines.sources.identity_suggest import write_suggestions

HYPERLINK = '=HYPERLINK("https://evil.example/x","click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("core", "core"),
        ("", ""),
        ("a=b", "a=b"),
        ("-5", "-5"),  # a number in a text cell runs nothing
        ("+1.5e3", "+1.5e3"),
    ],
)
def test_text_cells_that_start_a_formula_get_an_apostrophe_and_come_back(cell, written):
    assert neutral(cell) == written
    assert restore(written) == cell


def test_a_frame_keeps_its_numbers_and_neutralises_its_text():
    frame = pl.DataFrame(
        {"team": [HYPERLINK, "-x", "-5", None], "delta": [-1, 2, 3, 4], "rate": [-0.5, 1.0, None, 2.0]}
    )
    assert neutral_frame(frame).rows() == [
        ("'" + HYPERLINK, -1, -0.5),
        ("'-x", 2, 1.0),
        ("-5", 3, None),
        (None, 4, 2.0),
    ]


def test_the_reviewed_identities_file_is_neutral_and_reads_back_as_it_was(tmp_path: Path):
    out = tmp_path / "suggestions.csv"
    proposal = {
        "system": "jira",
        "external_id": HYPERLINK,
        "proposed_person_id": "p1",
        "proposed_email": "@a@x.io",
        "rule": "same_name",
        "confidence": "0.70",
        "confirmed": "",
    }
    write_suggestions([proposal], out)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["external_id"] == "'" + HYPERLINK and rows[0]["proposed_email"] == "'@a@x.io"
    rows[0]["confirmed"] = "yes"  # the reviewer's answer
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert confirmed_rows(out, {"p1"}) == [{"person_id": "p1", "system": "jira", "external_id": HYPERLINK}]


def test_the_quarantine_download_carries_no_formula_and_its_rows_are_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "person_id,email,name,team,manager_id,role,level,start_date\np1,a@x.io,A,core,,engineer,L4,2025-01-01\n"
    )
    pl.DataFrame(
        {
            "occurred_at": ["2026-03-02T10:00Z", "2026-03-03T10:00Z"],
            "user": ["a@x.io", "a@x.io"],
            "tool": ["claude-code", "claude-code"],
            "model": ["claude-sonnet-4-5", "claude-sonnet-4-5"],
            "input_tokens": ["100", HYPERLINK],
            "output_tokens": ["10", "10"],
        }
    ).write_csv(folder / "ai_usage.csv")
    (folder / "access.toml").write_text('admins = ["admin@x.io"]\n')
    warehouse = tmp_path / "warehouse.duckdb"
    build(Settings(input_dir=folder, warehouse_path=warehouse))
    monkeypatch.setenv("TOKENYIELD_DB", str(warehouse))
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(tmp_path / "audit.duckdb"))
    from dashboard import build_data

    with duckdb.connect(str(warehouse), read_only=True) as con:
        admin = resolve(con, "admin@x.io")
    rows = list(csv.DictReader(build_data.quarantine_csv(admin, (), ()).decode().splitlines()))
    assert [row["value"] for row in rows] == ["'" + HYPERLINK]
    assert build_data.quarantine(admin, ("ai_usage",), (), 10)["value"].to_list() == [
        HYPERLINK
    ]  # shown as text
    logged = audit.read(tmp_path / "audit.duckdb")
    assert logged.select("viewer_email", "action", "detail").rows() == [
        ("admin@x.io", "view: quarantined rows", "tables ai_usage; reasons all")
    ]
