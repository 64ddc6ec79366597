"""Tables as CSV: one helper for the dashboard's download buttons, the CLI and the review pack."""

from __future__ import annotations

import polars as pl

from pipelines.csv_cells import neutral_frame


def table_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a header row; dates as YYYY-MM-DD and timestamps as ISO 8601; text cells a
    spreadsheet would run as a formula are neutralised (pipelines/csv_cells.py)."""
    return (
        neutral_frame(frame)
        .write_csv(
            date_format="%Y-%m-%d",
            datetime_format="%Y-%m-%dT%H:%M:%S%.f",
            include_header=True,
        )
        .encode("utf-8")
    )


TABLE_ROWS = 14  # rows that fit on a page or slide; the CSV export has them all


def table_text(frame: pl.DataFrame, max_rows: int | None = TABLE_ROWS) -> tuple[list[str], list[list[str]]]:
    """A frame as a header and rows of display text (thousands separators, 2 decimals, ISO dates)."""
    shown = frame if max_rows is None else frame.head(max_rows)
    return list(frame.columns), [[cell(value) for value in row] for row in shown.rows()]


def cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
