"""CSV cells a spreadsheet will not run as formulas (CSV injection, OWASP).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets, so `=HYPERLINK("https://…")` in a team name or a quarantined
value would become a live link or worse. Every CSV the product writes for people to open passes
its text cells through `neutral()`: such a cell gets a leading apostrophe, which spreadsheets show
as plain text. Numbers are left alone: a number column, and a text cell that is just a number
("-5", a raw value kept in quarantine), which no spreadsheet runs. `restore()` undoes it for a CSV the
product reads back (the reviewed `identities suggest` file).

Input files the build reads back (the demo's canonical files, the identities file that
`identities apply` extends) are data in the input contract, not reports, and are written as is.
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_START = "=+-@\t\r"
_STARTS_A_FORMULA = "^[" + re.escape(FORMULA_START) + "]"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def neutral(value: str) -> str:
    """A text cell as a spreadsheet shows it, never runs it."""
    if value[:1] and value[0] in FORMULA_START and not re.match(_NUMBER, value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """A cell read back from a CSV this module neutralised, as it was."""
    return value[1:] if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START else value


def neutral_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`neutral()` on every text column of a frame (numbers, dates and the rest untouched)."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_STARTS_A_FORMULA) & ~pl.col(name).str.contains(_NUMBER))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )
