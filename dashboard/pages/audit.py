"""Audit: who viewed which person's data, and when (admins only)."""

from __future__ import annotations

import streamlit as st

from dashboard import layout, person_data
from dashboard.text import markdown
from pipelines.privacy.viewer import AccessDenied

st.title("Audit")
viewer = layout.who()
layout.signed_in(viewer)
try:
    log, (intact, status) = person_data.audit_log(viewer)
except AccessDenied as error:
    st.info(markdown(error), icon=":material/lock:")
    st.stop()
(st.success if intact else st.error)(
    f"Hash chain: {markdown(status)}.", icon=":material/verified:" if intact else ":material/error:"
)
st.caption(
    "Append-only: each row carries a keyed hash (HMAC) of the row before it and its own fields, so a "
    "changed, reordered or removed row breaks the chain; the head is anchored beside the warehouse, so "
    "a log cut short is caught too. Subjects are pseudonyms (person_key); the newest 1,000 rows are shown."
)
st.dataframe(log, hide_index=True)
