"""Tables as CSV, and tables for people: one helper each for the CSV exports and for the pack's pages.

`table_csv` writes the machine-readable export (every row, raw numbers). `readable` turns a frame into
what a person reads in the pack: plain headers and numbers in the product's one format
(pipelines/formats.py), no "None", suppressed rows collapsed into one line under the table, and the
columns' widths measured from their content (`column_widths`), so that a cell wraps only at a space.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import polars as pl
from reportlab.pdfbase import pdfmetrics

from pipelines import formats
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


@dataclass(frozen=True)
class Readable:
    """A table as a person reads it: plain headers, formatted cells, and what was left out."""

    header: list[str]  # empty strings: a table without a header row (a list of label, value pairs)
    rows: list[list[str]]
    numeric: list[bool]  # right-aligned columns
    notes: list[str]  # lines under the table, e.g. "9 teams under 5 people are not shown."

    @property
    def has_header(self) -> bool:
        return any(self.header)


NOUNS = {"team": "team", "org": "org", "unit": "team", "decile": "decile", "week": "week", "tool": "tool"}
NUMERIC_KINDS = {"count", "usd", "usd_cents", "pct", "compact", "decimal", "rate"}


def readable(frame: pl.DataFrame) -> Readable:
    """The frame for a page: suppressed rows become one line, the `suppressed` flag goes, and every
    cell reads in its column's format. A column of estimates formats each row by what it measures."""
    notes: list[str] = []
    if "suppressed" in frame.columns:
        hidden = frame.filter(pl.col("suppressed").fill_null(True))
        frame = frame.filter(~pl.col("suppressed").fill_null(True)).drop("suppressed")
        if hidden.height:
            notes.append(_hidden_line(hidden))
    columns = list(frame.columns)
    rows = [[_cell(row, column) for column in columns] for row in frame.iter_rows(named=True)]
    numeric = [formats.kind(c) in NUMERIC_KINDS or frame[c].dtype.is_numeric() for c in columns]
    if frame.is_empty() and not notes:
        notes.append("Nothing to show in this view.")
    return Readable([formats.label(c) for c in columns], rows, numeric, notes)


def pairs(rows: list[tuple[str, str]]) -> Readable:
    """(label, value) lines, e.g. the data coverage page, as a table without a header."""
    return Readable(["", ""], [[a, b] for a, b in rows], [False, False], [])


def _hidden_line(hidden: pl.DataFrame) -> str:
    first = hidden.columns[0]
    noun = NOUNS.get(first, "row")
    count = hidden.height
    what = f"{count} {noun}{'' if count == 1 else 's'}"
    cells = " ".join(str(v) for row in hidden.rows() for v in row if isinstance(v, str))
    k = re.search(r"fewer than (\d+)", cells)
    under = f" under {k.group(1)} people" if k else " with too few people"
    verb = "is" if count == 1 else "are"
    return f"{what}{under} (or held back so none can be worked out from a total) {verb} not shown."


def _cell(row: dict[str, object], column: str) -> str:
    value = row[column]
    if isinstance(value, str) and formats.kind(column) != "text":
        try:  # a number column made text so that a suppressed row can read "fewer than 5"
            value = float(value)
        except ValueError:
            return value
    if column in ("value", "ci_low", "ci_high") and isinstance(row.get("estimate"), str):
        return _estimate_cell(str(row["estimate"]), value)
    return formats.text(value, column)


def _estimate_cell(estimate: str, value: object) -> str:
    """An estimate's figure in its own unit: a share as %, a % change signed, an elasticity as 0.00."""
    if value is None:
        return "–"
    number = float(value)  # type: ignore[arg-type]
    if round(number, 2) == 0 and "%" not in estimate and "share" not in estimate:
        number = 0.0  # -0.001 reads 0.00, not -0.00
    if "share" in estimate:
        return formats.pct(number, 1)
    if "%" in estimate:
        return formats.signed_pct(number / 100)
    return formats.decimal(number)


# ---- measuring: the widths a column needs so that nothing breaks inside a word ----

FONT_FILE = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
BOLD_FILE = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"


@cache
def _measure_fonts() -> tuple[str, str]:
    """(regular, bold) fonts to measure with: Liberation Sans (metric-compatible with Arial, the
    font the slides name) when installed, else Helvetica, which has the same widths."""
    from pipelines.report.pdf import fonts

    return fonts()


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of one line of text."""
    regular, heavy = _measure_fonts()
    return pdfmetrics.stringWidth(text, heavy if bold else regular, size)


def lines_needed(text: str, width: float, size: float, bold: bool = False) -> int:
    """Lines a cell of this width takes when it wraps at spaces only."""
    lines, current = 1, ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, size, bold) > width:
            lines, current = lines + 1, word
        else:
            current = candidate
    return lines


def column_widths(table: Readable, total: float, size: float, padding: float) -> list[float] | None:
    """Column widths (points, padding included) that fit `total`: each column as wide as its content
    when they all fit, else at least as wide as its longest word, sharing what is left by need.
    None when even the longest words do not fit at this font size."""
    columns = (
        list(zip(table.header, *table.rows, strict=True)) if table.rows else [(h,) for h in table.header]
    )
    natural, least = [], []
    for index, cells in enumerate(columns):
        texts = [(cells[0], table.has_header), *[(c, False) for c in cells[1:]]]
        natural.append(max(text_width(t, size, b) for t, b in texts) + 2 * padding)
        words = [(w, b) for t, b in texts for w in t.split()] or [("", False)]
        least.append(max(text_width(w, size, b) for w, b in words) + 2 * padding + 0.5)
        natural[index] = max(natural[index], least[index])
    if sum(natural) <= total:
        return natural
    spare = total - sum(least)
    if spare < 0:
        return None
    wanted = [n - m for n, m in zip(natural, least, strict=True)]
    return [m + spare * w / sum(wanted) for m, w in zip(least, wanted, strict=True)]


def fitted(
    table: Readable, total: float, sizes: tuple[float, ...], padding: float
) -> list[tuple[Readable, float, list[float]]]:
    """The table at the largest font size of `sizes` at which it fits `total` points: as one part,
    or, when even its longest words do not fit at the smallest size, as parts of as many columns as
    fit, each repeating the first column (the row's name). Each part with its size and widths."""
    for size in sizes:
        widths = column_widths(table, total, size, padding)
        if widths is not None:
            return [(table, size, widths)]
    size = sizes[-1]
    least = column_widths(table, math.inf, size, padding) or []
    least = [min(w, total / 2) for w in least]  # a column wider than half the room wraps anyway
    parts: list[list[int]] = [[]]
    for column in range(1, len(table.header)):
        if parts[-1] and least[0] + sum(least[c] for c in parts[-1]) + least[column] > total:
            parts.append([])
        parts[-1].append(column)
    out = []
    for columns in parts:
        keep = [0, *columns]
        part = Readable(
            [table.header[c] for c in keep],
            [[row[c] for c in keep] for row in table.rows],
            [table.numeric[c] for c in keep],
            table.notes,
        )
        out.append((part, size, column_widths(part, total, size, padding) or [least[c] for c in keep]))
    return out
