"""Tables for people, not code: plain headers and units from pipelines/formats.py, suppressed rows
collapsed into one line, and no column that is empty throughout."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from pipelines import formats

# formats.kind -> a Streamlit number format (the dashboard's one format for each kind)
NUMBER_FORMATS: dict[str, str] = {
    "count": "localized",
    "usd": "dollar",
    "usd_cents": "$%.2f",
    "pct": "percent",
    "compact": "compact",
    "rate": "%.2f",
    "decimal": "%.2f",
}


def column_config(frame: pl.DataFrame, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A column_config for every column of `frame`: formats.label() headers (or `labels`), units
    by formats.kind(); numeric columns formats.py does not know keep two decimals at most."""
    labels = labels or {}
    config: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        header = labels.get(name) or formats.label(name)
        kind = formats.kind(name)
        if dtype.is_temporal():
            config[name] = st.column_config.DateColumn(header, format="D MMM YYYY")
        elif kind in NUMBER_FORMATS and dtype.is_numeric():
            config[name] = st.column_config.NumberColumn(header, format=NUMBER_FORMATS[kind])
        elif dtype.is_integer():
            config[name] = st.column_config.NumberColumn(header, format="localized")
        elif dtype.is_float():
            config[name] = st.column_config.NumberColumn(header, format="%.2f")
        else:
            config[name] = st.column_config.TextColumn(header)
    return config


def shown(frame: pl.DataFrame, k: int, drop: tuple[str, ...] = ()) -> tuple[pl.DataFrame, int]:
    """The rows to draw (suppressed ones left out, and how many there were), without `drop`, the
    suppressed flag and columns with no value in any row."""
    hidden = 0
    if "suppressed" in frame.columns:
        hidden = int(frame["suppressed"].fill_null(True).sum())
        frame = frame.filter(~pl.col("suppressed").fill_null(True)).drop("suppressed")
    frame = frame.drop([c for c in drop if c in frame.columns])
    frame = frame.select(
        [c for c in frame.columns if frame.height == 0 or frame[c].null_count() < frame.height]
    )
    return frame, hidden


def people_table(
    frame: pl.DataFrame,
    k: int,
    drop: tuple[str, ...] = (),
    labels: dict[str, str] | None = None,
    what: str = "groups",
) -> None:
    """A table of groups with plain headers; groups under k people collapse into one line under it."""
    table, hidden = shown(frame, k, drop)
    if table.is_empty() or not table.columns:
        st.caption(
            f"Nothing to show here: every one of the {hidden} {what} in this view has fewer than {k} people."
            if hidden
            else "Nothing to show in this view."
        )
        return
    st.dataframe(table, hide_index=True, height="content", column_config=column_config(table, labels))
    if hidden:
        st.caption(
            f"{hidden} more {what} with fewer than {k} people are not shown, so that nobody can be singled out."
        )


def _as_text(value: float | None, how: str) -> str:
    if value is None:
        return "–"
    if how == "pct":
        return formats.pct(min(max(value, 0.0), 1.0), 1)  # a share's interval stays within 0-100%
    if how == "usd":
        return f"${value:,.2f}"
    if how == "compact":
        return formats.compact(value)
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def with_intervals(frame: pl.DataFrame, kinds: dict[str, str]) -> pl.DataFrame:
    """Each X_low/X_high pair (or pct_low/pct_high beside effect_pct) as one text column "X, 95%
    interval" ("$0.06 to $0.43"): a table as wide as the page holds, and no half of an interval is
    read on its own. `kinds`: X -> "pct", "usd", "compact" or "number"."""
    out = frame
    for column in frame.columns:
        low, high = f"{column}_low", f"{column}_high"
        if column == "effect_pct":
            low, high = "pct_low", "pct_high"
        if low not in frame.columns or high not in frame.columns:
            continue
        how = kinds.get(column, "number")
        text = [
            "–" if lo is None or hi is None else f"{_as_text(lo, how)} to {_as_text(hi, how)}"
            for lo, hi in zip(frame[low].to_list(), frame[high].to_list(), strict=True)
        ]
        out = out.drop(low, high).with_columns(pl.Series(f"{column}_interval", text, pl.String))
        order = [c for c in out.columns if c != f"{column}_interval"]
        at = order.index(column) + 1
        out = out.select([*order[:at], f"{column}_interval", *order[at:]])
    return out
