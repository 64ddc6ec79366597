"""Exports and the leadership review pack: charts as PNG/SVG/HTML, tables as CSV, packs as PDF/PPTX/HTML.

Everything here takes figures and frames the caller has already computed and filtered for its
viewer (the privacy rules live upstream); nothing in this package reads the warehouse.
"""

from pipelines.report.forecast import Forecast, adoption_forecast
from pipelines.report.images import slug, stop_server, to_html, to_png, to_svg, write_chart
from pipelines.report.pack import MethodNote, Pack, Slide, write, write_html, write_pdf, write_pptx
from pipelines.report.summary import Guardrails, ReviewFigures, sentences
from pipelines.report.tables import table_csv

__all__ = [
    "Forecast",
    "Guardrails",
    "MethodNote",
    "Pack",
    "ReviewFigures",
    "Slide",
    "adoption_forecast",
    "sentences",
    "slug",
    "stop_server",
    "table_csv",
    "to_html",
    "to_png",
    "to_svg",
    "write",
    "write_chart",
    "write_html",
    "write_pdf",
    "write_pptx",
]
