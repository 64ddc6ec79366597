"""The leadership review pack: what it holds, and one call that writes it as PDF, PPTX or HTML.

A Pack is built from figures and frames the caller has already computed and filtered for its viewer;
nothing here reads the warehouse. The three writers lay out the same content: a title page with
the executive summary, one chart per page or slide with its one-line takeaway, a methods-and-caveats
page and a data coverage page. None of them needs the network to write or to open the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from pipelines.report.html_page import write_html
from pipelines.report.pdf import write_pdf
from pipelines.report.slides import write_pptx
from pipelines.report.tables import Readable, pairs, readable


@dataclass(frozen=True)
class Slide:
    """One page or slide: a chart and/or a table under a one-line takeaway."""

    title: str  # what is shown, e.g. "Weekly active rate"
    takeaway: str  # the sentence a leader should leave with; the page's heading
    figure: go.Figure | None = None
    table: pl.DataFrame | None = None
    note: str | None = None  # the method in one line, or what the chart leaves out


@dataclass(frozen=True)
class MethodNote:
    title: str
    text: str


@dataclass(frozen=True)
class Pack:
    title: str
    subtitle: str  # organisation, viewer and period, e.g. "Acme engineering - 2 Mar to 26 Apr 2026"
    generated_at: datetime
    summary: list[str]
    slides: list[Slide]
    methods: list[MethodNote]
    coverage: Sequence[tuple[str, str]] | pl.DataFrame  # (what, how much) or a frame
    footer: str = "Aggregates only; groups under the minimum size are suppressed."

    def coverage_table(self) -> Readable:
        """The coverage as a table for people, whichever form it was given in."""
        if isinstance(self.coverage, pl.DataFrame):
            return readable(self.coverage)
        return pairs(list(self.coverage))


WRITERS = {".pdf": write_pdf, ".pptx": write_pptx, ".html": write_html}


def write(pack: Pack, path: Path) -> Path:
    """Write the pack in the format its suffix names (.pdf, .pptx or .html)."""
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ValueError(
            f"cannot write a review pack as {path.name!r}: the file must end in .pdf, .pptx or .html"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    writer(pack, path)
    return path
