"""The leadership review pack (pipelines/report/review.py) for the viewer's view, as download bytes."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.warehouse import Warehouse, current, cursor_for
from pipelines.metrics.filters import Filters
from pipelines.privacy import audit
from pipelines.privacy import viewer as viewers
from pipelines.privacy.viewer import Viewer
from pipelines.settings import settings

PACK_TYPES = {  # suffix -> MIME type of the download
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".html": "text/html",
}


@st.cache_data(show_spinner=False, max_entries=16)
def _pack_bytes(warehouse: Warehouse, who: Viewer, filters: Filters, suffix: str) -> bytes:
    import tempfile

    from pipelines.report import review, write

    with cursor_for(warehouse) as cursor:
        pack = review.pack_for(cursor, who, filters)
    with tempfile.TemporaryDirectory(prefix="tokenyield-pack-") as folder:
        return write(pack, Path(folder) / f"review{suffix}").read_bytes()


def pack_bytes(who: Viewer, filters: Filters, suffix: str) -> bytes:
    """The review pack as .pdf, .pptx or .html bytes, with the viewer's privacy rules; audited."""
    if suffix not in PACK_TYPES:
        raise ValueError(f"a review pack is .pdf, .pptx or .html, not {suffix!r}")
    if not who.sees_aggregates:
        raise viewers.AccessDenied("The review pack needs a manager, leader, analyst or admin role.")
    made = _pack_bytes(current(), who, filters, suffix)
    audit.record(
        settings().audit_path, [audit.Entry(who.email, who.role, "export: review pack", detail=suffix)]
    )
    return made
