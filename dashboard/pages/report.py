"""Review pack: the leadership review pack of the view in the sidebar, as PDF, PowerPoint or HTML."""

from __future__ import annotations

import streamlit as st

from dashboard import layout, pack_data

viewer, filters = layout.begin(
    "Review pack",
    "An executive summary in sentences, one chart per page with its takeaway, methods and caveats, "
    "and data coverage: the figures of this view, with the same privacy rules as the pages.",
)
st.markdown(
    f"The pack is prepared for **{viewer.email}** ({viewer.role}): aggregates only, groups under "
    f"{viewer.k} people suppressed. It needs no network connection to open. Making it takes a few "
    "seconds; every download is recorded in the audit log."
)
labels = {".pdf": "PDF", ".pptx": "PowerPoint (PPTX)", ".html": "HTML (interactive)"}
for column, (suffix, label) in zip(st.columns(3), labels.items(), strict=True):
    column.download_button(
        label,
        data=lambda suffix=suffix: pack_data.pack_bytes(viewer, filters, suffix),
        file_name=f"tokenyield-review{suffix}",
        mime=pack_data.PACK_TYPES[suffix],
        key=f"pack-{suffix[1:]}",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
st.caption(
    "From the command line: `tokenyield report --db PATH --out FILE.pdf --as EMAIL [--from --to]`; "
    "every chart and table: `tokenyield export-charts --db PATH --out DIR --as EMAIL` (docs/exports.md)."
)
