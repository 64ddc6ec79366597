"""Download buttons under every chart and table: PNG, SVG and interactive HTML, or CSV.

Files are made only when a button is clicked (st.download_button runs a callable then, on its own
thread) through the one export server of pipelines/report/images.py, and cached on the figure's
JSON, so a page rerun never starts a browser. The figures and frames are the ones the page already
drew for its viewer, so an export shows exactly what the page shows.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import layout
from pipelines.report import images
from pipelines.report.review import for_export
from pipelines.report.tables import table_csv


@st.cache_data(show_spinner=False, max_entries=64)
def _png(spec: str) -> bytes:
    return images.to_png(pio.from_json(spec))


@st.cache_data(show_spinner=False, max_entries=64)
def _svg(spec: str) -> bytes:
    return images.to_svg(pio.from_json(spec))


@st.cache_data(show_spinner=False, max_entries=64)
def _html(spec: str) -> str:
    return images.to_html(pio.from_json(spec))


def chart(fig: go.Figure, name: str, where: DeltaGenerator | None = None) -> None:
    """Draw the chart, and beneath it an Export popover with PNG, SVG and HTML downloads."""
    where = where or st.container()
    stem = images.slug(name)
    where.plotly_chart(fig, key=f"chart-{stem}", **layout.PLOTLY)
    # the figure's JSON is made on a click only: a rerun that draws the chart serializes it once
    with where.popover("Export", icon=":material/download:", type="tertiary"):
        st.caption("The chart as shown, at slide size; HTML is interactive and works offline.")
        for label, make, suffix, mime in (
            ("PNG", lambda: _png(fig.to_json()), "png", "image/png"),
            ("SVG", lambda: _svg(fig.to_json()), "svg", "image/svg+xml"),
            ("HTML", lambda: _html(fig.to_json()), "html", "text/html"),
        ):
            st.download_button(
                label,
                data=make,
                file_name=f"{stem}.{suffix}",
                mime=mime,
                key=f"export-{stem}-{suffix}",
                on_click="ignore",
                width="stretch",
            )


def table(frame: pl.DataFrame, name: str, k: int, where: DeltaGenerator | None = None) -> None:
    """A CSV download of the table; suppressed cells read "fewer than k", never a number."""
    where = where or st.container()
    stem = images.slug(name)
    where.download_button(
        "CSV",
        data=lambda: table_csv(for_export(frame, k)),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"export-{stem}-csv",
        icon=":material/download:",
        on_click="ignore",
    )
