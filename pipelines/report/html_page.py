"""The review pack as one self-contained HTML file with interactive charts.

plotly.js is embedded once in the head (about 5 MB) and every chart is a div that uses it, so the
file opens offline. A Content-Security-Policy forbids the page from loading anything at all from
the network, which makes "needs no connection" something the browser enforces, not a hope.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from great_tables import GT
from plotly.offline import get_plotlyjs

from dashboard import theme
from pipelines.report.images import chart_div
from pipelines.report.tables import Readable, readable

if TYPE_CHECKING:
    from pipelines.report.pack import Pack, Slide

# inline scripts and styles only; images and fonts only from data: URIs; no fetch, no frames
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
)

STYLE = f"""
body {{ font-family: {theme.FONT}; color: {theme.TEXT}; margin: 0 auto; max-width: 1100px;
       padding: 24px 32px; line-height: 1.45; }}
header h1 {{ font-size: 30px; margin: 0 0 4px; }}
.subtitle, .kicker, .note, footer {{ color: {theme.GREY}; }}
.subtitle {{ font-size: 18px; margin: 0; }}
section {{ border-top: 1px solid {theme.GRID}; padding: 20px 0 28px; }}
h2 {{ font-size: 22px; margin: 4px 0 12px; }}
.kicker {{ font-size: 14px; margin: 0; text-transform: uppercase; letter-spacing: 0.04em; }}
.note {{ font-size: 14px; }}
li {{ margin-bottom: 8px; font-size: 16px; }}
table {{ border-collapse: collapse; font-size: 14px; }}
th, td {{ text-align: left; padding: 4px 14px 4px 6px; border-bottom: 1px solid {theme.GRID}; }}
th {{ background: #F2F4F7; }}
footer {{ font-size: 13px; border-top: 1px solid {theme.GRID}; padding-top: 10px; }}
@media print {{ section {{ break-before: page; }} }}
"""


def write_html(pack: Pack, path: Path) -> None:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(pack.title)}</title>",
        f"<style>{STYLE}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        f"<header><h1>{escape(pack.title)}</h1>",
        f'<p class="subtitle">{escape(pack.subtitle)}</p>',
        f'<p class="kicker">Generated {pack.generated_at:%d %b %Y %H:%M}</p></header>',
        '<section id="summary"><h2>Executive summary</h2><ul>',
        *[f"<li>{escape(sentence)}</li>" for sentence in pack.summary],
        "</ul></section>",
        *[_slide(slide, number) for number, slide in enumerate(pack.slides, start=1)],
        '<section id="methods"><h2>Methods and caveats</h2>',
        *[f"<p><strong>{escape(n.title)}.</strong> {escape(n.text)}</p>" for n in pack.methods],
        "</section>",
        '<section id="coverage"><h2>Data coverage</h2>',
        _table(pack.coverage_table(), "coverage-table"),
        "</section>",
        f"<footer>{escape(pack.footer)}</footer>",
        "</body></html>",
    ]
    path.write_text("\n".join(parts), encoding="utf-8")


def _slide(slide: Slide, number: int) -> str:
    body = [
        f'<section class="slide" id="slide-{number}">',
        f'<p class="kicker">{escape(slide.title)}</p>',
        f"<h2>{escape(slide.takeaway)}</h2>",
    ]
    if slide.figure is not None:
        body.append(chart_div(slide.figure))
    if slide.table is not None:
        body.append(_table(readable(slide.table), f"table-{number}"))
    if slide.note:
        body.append(f'<p class="note">{escape(slide.note)}</p>')
    body.append("</section>")
    return "\n".join(body)


def _table(table: Readable, table_id: str) -> str:
    """A table for people through great-tables: plain headers, cells already in the product's one
    number format (pipelines/formats.py; great-tables only lays them out), numbers right-aligned,
    what was left out in a line under it. great-tables escapes every cell and header itself."""
    notes = "".join(f'<p class="note">{escape(line)}</p>' for line in table.notes)
    if not table.rows:
        return notes
    names = [f"{table_id}-c{i}" for i in range(len(table.header))]
    frame = pl.DataFrame(table.rows, schema=names, orient="row")
    gt = (
        GT(frame, id=table_id)
        .cols_label(**dict(zip(names, table.header, strict=True)))
        .cols_align("right", columns=[n for n, num in zip(names, table.numeric, strict=True) if num])
        .cols_align("left", columns=[n for n, num in zip(names, table.numeric, strict=True) if not num])
        .tab_options(
            table_font_names=theme.FONT,
            table_font_size="14px",
            table_font_color=theme.TEXT,
            table_margin_left="0",
            column_labels_background_color="#F2F4F7",
            column_labels_font_weight="bold",
            data_row_padding="4px",
            column_labels_hidden=not table.has_header,
        )
    )
    return gt.as_raw_html() + notes
